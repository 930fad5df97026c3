/**
 * Trending: how much faster an item is gaining interest now than over the day. The short-term
 * decayed count (τ 1 h) estimates the recent rate × τ_short, the long-term one (τ 24 h) the day's
 * rate × τ_long, so an item at a steady rate has short / (long · τ_short/τ_long) = 1, and a rising
 * one more. A lone event would score τ_long/τ_short = 24, so both sides get `TRENDING_PRIOR_WEIGHT`
 * of pseudo-events at ratio 1: a ratio needs real volume to move far from 1.
 */
import { POPULARITY_TAU_MS, SHORT_POPULARITY_TAU_MS } from './popularity.js';

/** Pseudo event weight (in EVENT_WEIGHTS units: ten views) added to both sides of the ratio. */
export const TRENDING_PRIOR_WEIGHT = 10;

/**
 * Ratio of the short-term to the long-term rate, shrunk towards 1. `shortCount` and `longCount`
 * are the decayed counts (currentCount) of the short and long popularity; 1 means steady, above 1
 * rising, below 1 cooling down.
 */
export function trendingScore(
  shortCount: number,
  longCount: number,
  priorWeight = TRENDING_PRIOR_WEIGHT,
): number {
  if (!(priorWeight > 0))
    throw new RangeError(`trending prior weight must be positive, got ${String(priorWeight)}`);
  const expectedShort = Math.max(longCount, 0) * (SHORT_POPULARITY_TAU_MS / POPULARITY_TAU_MS);
  return (Math.max(shortCount, 0) + priorWeight) / (expectedShort + priorWeight);
}
