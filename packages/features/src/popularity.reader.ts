import type { Redis } from 'ioredis';
import { featureKeys } from './keys.js';
import { currentCount } from './popularity.js';

export interface PopularItem {
  readonly itemId: string;
  /** Event weight received, decayed to now (an "effective recent interactions" count). */
  readonly score: number;
}

/** The `k` most popular items now, best first. One round trip. */
export async function readTopPopular(
  redis: Redis,
  prefix: string,
  k: number,
  nowMs = Date.now(),
): Promise<PopularItem[]> {
  if (k <= 0) return [];
  const flat = await redis.zrevrange(featureKeys(prefix).itemPopularity(), 0, k - 1, 'WITHSCORES');
  const items: PopularItem[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    items.push({ itemId: flat[i] as string, score: currentCount(Number(flat[i + 1]), nowMs) });
  }
  return items;
}
