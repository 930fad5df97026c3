/**
 * The items gaining interest fastest. Candidates are the top of the short-term popularity (the
 * items busiest now), over-fetched; each is scored by its short- over long-term rate with a prior
 * (trending.ts), so a steady best-seller and a lone fresh event both stay near 1. A read-only Lua
 * script (`no-writes`, Redis 7+) takes the candidates and their long-term scores together: one
 * round trip.
 */
import type { Redis, Result } from 'ioredis';
import { featureKeys } from './keys.js';
import { readTime, resultLimit } from './limits.js';
import { POPULARITY_TAU_MS, SHORT_POPULARITY_TAU_MS, currentCount } from './popularity.js';
import { optionalScore, parseScored } from './replies.js';
import { trendingScore } from './trending.js';
import { luaScript } from '@recstream/redis';

/** Candidates read per item asked: the ratio reorders the busiest items, it cannot find quiet ones. */
export const TRENDING_OVERFETCH = 5;
/** At least this many candidates, so a small k still chooses among enough items. */
export const TRENDING_MIN_CANDIDATES = 100;
/** At most this many items are returned (and 5× as many read). */
export const TRENDING_MAX_K = 200;

/** An entry of the trending list. */
export interface TrendingItem {
  readonly itemId: string;
  /** Short- over long-term rate with a prior: 1 steady, above 1 rising, below 1 cooling down. */
  readonly score: number;
  /** Event weight decayed to now with τ 1 h. */
  readonly shortCount: number;
  /** Event weight decayed to now with τ 24 h. */
  readonly longCount: number;
}

/** KEYS: [1] short-term popularity, [2] long-term popularity. ARGV: [1] candidates to read. */
const READ_TRENDING_LUA = new URL('./read-trending.lua', import.meta.url);

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recReadTrending(numberOfKeys: number, ...args: (string | number)[]): Result<unknown[], Context>;
  }
}

const defined = new WeakSet<Redis>();
function withScript(redis: Redis): Redis {
  if (!defined.has(redis)) {
    redis.defineCommand('recReadTrending', { lua: luaScript(READ_TRENDING_LUA) });
    defined.add(redis);
  }
  return redis;
}

/**
 * The `k` (at most TRENDING_MAX_K) most trending items at `nowMs`, best first (ties: the busier
 * item first). `k ≤ 0` gives none; a non-integer `k` or an unusable clock throws a RangeError.
 */
export async function readTrending(
  redis: Redis,
  prefix: string,
  k: number,
  nowMs = Date.now(),
): Promise<TrendingItem[]> {
  readTime(nowMs);
  const limit = resultLimit('k', k, TRENDING_MAX_K);
  if (limit === 0) return [];
  const keys = featureKeys(prefix);
  const candidates = Math.max(limit * TRENDING_OVERFETCH, TRENDING_MIN_CANDIDATES);
  const [top, longScores] = await withScript(redis).recReadTrending(
    2,
    keys.itemPopularityShort(),
    keys.itemPopularity(),
    candidates,
  );
  const longs = Array.isArray(longScores) ? (longScores as unknown[]) : [];
  return parseScored(Array.isArray(top) ? (top as unknown[]) : [])
    .map(({ member, score }, i): TrendingItem => {
      const shortCount = currentCount(score, nowMs, SHORT_POPULARITY_TAU_MS);
      const longLog = optionalScore(longs[i]);
      const longCount = longLog === undefined ? 0 : currentCount(longLog, nowMs, POPULARITY_TAU_MS);
      return { itemId: member, score: trendingScore(shortCount, longCount), shortCount, longCount };
    })
    .sort((a, b) => b.score - a.score || b.shortCount - a.shortCount)
    .slice(0, limit);
}
