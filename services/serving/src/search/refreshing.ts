/**
 * A value rebuilt in the background every `intervalMs` (the search index, the suggestion list) and
 * read synchronously by requests. A failed rebuild keeps the last good value and is retried at the
 * next tick; rebuilds never overlap (a refresh asked for while one runs joins it). With a `stamp`
 * (a cheap token of the source's state, e.g. a change counter), a refresh whose stamp equals the
 * last build's keeps the value without rebuilding.
 */
import type { Logger } from '@recstream/logger';

export interface Refreshing<T> {
  /** The last value built (the initial one until a build succeeded). */
  current(): T;
  /** Rebuilds now; resolves true when the new value is in place, false when the build failed. */
  refresh(): Promise<boolean>;
  /** Refreshes every `intervalMs` until `stop` (0: never); the first refresh is the caller's. */
  start(): void;
  /** Stops the timer and waits for a running build. */
  stop(): Promise<void>;
}

export interface RefreshingOptions<T> {
  /** Named in logs. */
  readonly name: string;
  readonly initial: T;
  readonly build: () => Promise<T>;
  readonly intervalMs: number;
  readonly logger: Logger;
  /**
   * Read before each build; the build is skipped when it equals the last successful build's.
   * Undefined (no token, e.g. a source that never wrote one) always rebuilds.
   */
  readonly stamp?: () => Promise<string | undefined>;
  /** Told how each build went (metrics). */
  readonly onBuilt?: (value: T, seconds: number) => void;
  readonly onFailed?: (error: unknown) => void;
  readonly onSkipped?: () => void;
}

export function createRefreshing<T>(options: RefreshingOptions<T>): Refreshing<T> {
  let value = options.initial;
  let running: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let builtStamp: string | undefined;

  const build = async (): Promise<boolean> => {
    const started = performance.now();
    try {
      // Read before the build: a change made while it runs moves the stamp for the next refresh.
      const stamp = await options.stamp?.();
      if (stamp !== undefined && stamp === builtStamp) {
        options.onSkipped?.();
        return true;
      }
      const next = await options.build();
      value = next;
      builtStamp = stamp;
      options.onBuilt?.(next, (performance.now() - started) / 1000);
      return true;
    } catch (err) {
      options.logger.warn({ err, name: options.name }, 'background refresh failed; keeping the last value');
      options.onFailed?.(err);
      return false;
    }
  };

  const refresh = (): Promise<boolean> => {
    running ??= build().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    current: () => value,
    refresh,
    start() {
      if (options.intervalMs <= 0 || timer !== undefined) return;
      timer = setInterval(() => void refresh(), options.intervalMs);
      // A pending refresh must not keep a stopping process alive.
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
