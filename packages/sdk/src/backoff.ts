/** When to try again after a failed send: exponential backoff with full jitter, and Retry-After. */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; doubles with each consecutive failure. */
  readonly baseMs: number;
  /** Upper bound of the exponential ceiling. */
  readonly maxMs: number;
}

/**
 * Full jitter (a uniformly random delay in [0, min(max, base·2^failures))): spreads the retries of
 * many clients that failed together, so a recovering collector is not hit by synchronized waves.
 * `failures` counts consecutive failures, starting at 1.
 */
export function fullJitterDelayMs(policy: BackoffPolicy, failures: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/** A server-requested wait above this is treated as this: a misconfigured proxy must not stall a client for hours. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP date) into milliseconds
 * from `nowMs`; undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  // The date form names a weekday and month; without letters, Date.parse would read '-1' as a year.
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/**
 * The wait before the next attempt: never earlier than the server asked, and never less than the
 * jittered backoff, so clients told the same Retry-After still spread out as failures repeat.
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  failures: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const jittered = fullJitterDelayMs(policy, failures, random);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
