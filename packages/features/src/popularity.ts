/**
 * Item popularity with exponential time decay, stored so that it never needs rewriting.
 *
 * The decayed count at time t of events with weights w_i at times t_i is
 *   P(t) = Σ w_i · exp(-(t - t_i)/τ) = exp(-(t - T0)/τ) · Σ w_i · exp((t_i - T0)/τ).
 * The second factor is the same for every item, so ranking needs only S = Σ w_i·exp((t_i - T0)/τ).
 * S itself grows without bound, so we store log S and add in log space (log-sum-exp), which is
 * exact and never overflows. `currentCount` turns it back into a decayed count for display.
 */

/** Reference time for the log scores: 2026-01-01T00:00:00Z. */
export const POPULARITY_T0_MS = Date.UTC(2026, 0, 1);
/** Decay time constant: an event's weight falls by e every τ (half-life τ·ln 2 ≈ 16.6 h). */
export const POPULARITY_TAU_MS = 24 * 60 * 60 * 1000;
/** Short-term popularity (half-life ≈ 42 min); trending compares it with the 24 h one. */
export const SHORT_POPULARITY_TAU_MS = 60 * 60 * 1000;
/** Shoppers' category and brand affinities fade over a week (half-life ≈ 4.9 days). */
export const AFFINITY_TAU_MS = 7 * 24 * 60 * 60 * 1000;

/** How much each event type says about interest in an item. */
export const EVENT_WEIGHTS = {
  view: 1,
  click: 1,
  add_to_cart: 3,
  remove_from_cart: 0,
  purchase: 5,
  search: 0,
  impression: 0,
} as const;

/** log of one event's contribution to S, for a decay time constant `tauMs`. */
export function logContribution(weight: number, eventTimeMs: number, tauMs = POPULARITY_TAU_MS): number {
  return Math.log(weight) + (eventTimeMs - POPULARITY_T0_MS) / tauMs;
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: number, b: number): number {
  const max = Math.max(a, b);
  return max + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** The decayed count at `nowMs` from a stored log score. */
export function currentCount(logScore: number, nowMs: number, tauMs = POPULARITY_TAU_MS): number {
  return Math.exp(logScore - (nowMs - POPULARITY_T0_MS) / tauMs);
}
