/**
 * Per-item statistics for ranking, read for many items in one round trip (a pipeline): decayed
 * popularity, trending, windowed counts and a smoothed CTR per window.
 */
import type { Redis } from 'ioredis';
import { ctrPrior, smoothedCtr, type CtrPrior } from './ctr.js';
import { featureKeys } from './keys.js';
import { readTime } from './limits.js';
import { POPULARITY_TAU_MS, SHORT_POPULARITY_TAU_MS, currentCount } from './popularity.js';
import { execPipeline, numberOr0, optionalScore } from './replies.js';
import { trendingScore } from './trending.js';
import {
  sumWindows,
  windowReadPlan,
  zeroCounts,
  type WindowCounts,
  type WindowName,
} from './window-counts.js';
import { WINDOWS } from './windows.js';

/** One item's statistics at the time read, as `readItemStats` returns them. */
export interface ItemStats {
  readonly itemId: string;
  /** Event weight received, decayed to now with τ 24 h (0 for an unknown item). */
  readonly popularity: number;
  /** The same with τ 1 h. */
  readonly shortPopularity: number;
  /** Short- over long-term rate with a prior (trending.ts): 1 steady, above 1 rising. */
  readonly trending: number;
  /** Events per window and type, the oldest bucket pro rata. */
  readonly counts: WindowCounts;
  /** Clicks per impression per window, smoothed towards the shop's CTR (ctr.ts). */
  readonly ctr: Record<WindowName, number>;
  /** The prior the CTRs were smoothed with (the same for every item of a read). */
  readonly ctrPrior: CtrPrior;
}

/**
 * Statistics of `itemIds` at `nowMs`, in input order (an unknown id gets zeros, a CTR equal to the
 * prior mean and a trending score of 1). One round trip: a ZMSCORE on each popularity set, the
 * global counts, and one HMGET of the needed bucket fields per item. Throws a RangeError for an
 * unusable clock and passes Redis errors on.
 */
export async function readItemStats(
  redis: Redis,
  prefix: string,
  itemIds: readonly string[],
  nowMs = Date.now(),
): Promise<ItemStats[]> {
  readTime(nowMs);
  const keys = featureKeys(prefix);
  const plan = windowReadPlan(nowMs);
  const pipeline = redis.pipeline().hmget(keys.globalCounts(), 'click', 'impression');
  if (itemIds.length > 0) {
    pipeline.zmscore(keys.itemPopularity(), ...itemIds).zmscore(keys.itemPopularityShort(), ...itemIds);
    for (const itemId of itemIds) pipeline.hmget(keys.itemWindows(itemId), ...plan.fields);
  }
  const [global, long, short, ...windows] = await execPipeline(pipeline);
  const [clicks, impressions] = asArray(global).map(numberOr0);
  const prior = ctrPrior({ clicks: clicks ?? 0, impressions: impressions ?? 0 });
  const longScores = asArray(long);
  const shortScores = asArray(short);
  return itemIds.map((itemId, i): ItemStats => {
    const longLog = optionalScore(longScores[i]);
    const shortLog = optionalScore(shortScores[i]);
    const popularity = longLog === undefined ? 0 : currentCount(longLog, nowMs, POPULARITY_TAU_MS);
    const shortPopularity =
      shortLog === undefined ? 0 : currentCount(shortLog, nowMs, SHORT_POPULARITY_TAU_MS);
    const values = windows[i];
    const counts = values === undefined ? zeroCounts() : sumWindows(plan, asArray(values));
    const ctr = Object.fromEntries(
      WINDOWS.map(({ name }) => [name, smoothedCtr(counts[name].click, counts[name].impression, prior)]),
    ) as Record<WindowName, number>;
    const trending = trendingScore(shortPopularity, popularity);
    return { itemId, popularity, shortPopularity, trending, counts, ctr, ctrPrior: prior };
  });
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
