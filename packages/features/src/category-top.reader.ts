/** The most popular items of a category (decayed, τ 24 h), the category counterpart of readTopPopular. */
import type { Redis } from 'ioredis';
import { CATEGORY_LEVELS_MAX, CATEGORY_TOP_MAX } from './bounds.js';
import { featureKeys } from './keys.js';
import { readTime, resultLimit } from './limits.js';
import { POPULARITY_TAU_MS, currentCount } from './popularity.js';
import type { PopularItem } from './popularity.reader.js';
import { parseScored } from './replies.js';

const SEPARATOR = ' > ';

/**
 * The key's category for a path given as text ('Beauty > Makeup > Lips', as ItemMeta.category) or
 * as levels: top lists exist for the first CATEGORY_LEVELS_MAX levels only, so a deeper path reads
 * the list of its ancestor at that depth.
 */
export function categoryKeyName(category: string | readonly string[]): string {
  const levels = typeof category === 'string' ? category.split(SEPARATOR) : category;
  return levels.slice(0, CATEGORY_LEVELS_MAX).join(SEPARATOR);
}

/**
 * The `k` (at most CATEGORY_TOP_MAX) most popular items of `category` at `nowMs`, best first, with
 * their decayed counts. An unknown category or `k ≤ 0` gives none; a non-integer `k` or an unusable
 * clock throws a RangeError. One round trip.
 */
export async function readCategoryTop(
  redis: Redis,
  prefix: string,
  category: string | readonly string[],
  k: number,
  nowMs = Date.now(),
): Promise<PopularItem[]> {
  readTime(nowMs);
  const limit = resultLimit('k', k, CATEGORY_TOP_MAX);
  const name = categoryKeyName(category);
  if (limit === 0 || name === '') return [];
  const flat = await redis.zrevrange(
    featureKeys(prefix).categoryPopularity(name),
    0,
    limit - 1,
    'WITHSCORES',
  );
  return parseScored(flat).map(({ member, score }) => ({
    itemId: member,
    score: currentCount(score, nowMs, POPULARITY_TAU_MS),
  }));
}
