/**
 * Checks of the sizes and clocks callers pass to the readers. A result size of zero or less is a
 * legitimate "nothing" (a slot a caller chose not to fill); a fraction, NaN or infinity is a bug in
 * the caller, reported at once rather than turned into a Redis range that reads something odd.
 */

/** `k` bounded to `max`, or 0 for `k ≤ 0`; throws a RangeError when `k` is not an integer. */
export function resultLimit(name: string, k: number, max: number): number {
  if (!Number.isInteger(k)) throw new RangeError(`${name} must be an integer, got ${String(k)}`);
  return Math.max(0, Math.min(k, max));
}

/** `nowMs` when it is a usable clock reading (finite ms since the epoch); throws a RangeError otherwise. */
export function readTime(nowMs: number): number {
  if (!Number.isFinite(nowMs))
    throw new RangeError(`nowMs must be a finite number of ms, got ${String(nowMs)}`);
  return nowMs;
}
