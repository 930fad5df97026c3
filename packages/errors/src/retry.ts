/** Bounded retry for transient failures; permanent ones are rethrown at once. */
import { isTransient } from './index.js';

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    // The listener goes when the timer fires: a long-lived signal (a consumer's stop) would
    // otherwise keep one per sleep.
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Exponential backoff with "equal jitter", bounded: the delay before retry number `attempt`
 * (0-based) is half the exponential ceiling plus a random half. Servers retrying their own
 * dependencies want the guaranteed floor; clients of a shared service (the SDK) use full jitter.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs = 100,
  maxMs = 10_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryOptions {
  readonly attempts: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `operation`, retrying transient errors up to `attempts` times in all. */
export async function retryTransient<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error) || attempt + 1 >= options.attempts || options.signal?.aborted === true)
        throw error;
      const delayMs = backoffDelayMs(attempt, options.baseMs, options.maxMs);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
