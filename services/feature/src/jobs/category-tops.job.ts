/**
 * Keeps the category top lists current: every `intervalMs`, refreshes the items whose popularity
 * changed (store/category-tops.ts). One refresh at a time; a failed one is logged, counted and
 * retried at the next tick — the marks stay in Redis until a refresh succeeds, so nothing is lost.
 */
import type { Logger } from '@recstream/logger';
import { LATENCY_BUCKETS_S, type ServiceMetrics } from '@recstream/metrics';

export interface CategoryTopsJob {
  /** Waits for a refresh in progress, then stops. */
  stop(): Promise<void>;
}

export function startCategoryTopsJob(options: {
  refresh: () => Promise<number>;
  intervalMs: number;
  logger: Logger;
  metrics: ServiceMetrics;
}): CategoryTopsJob {
  const refreshed = options.metrics.counter(
    'category_tops_refreshed_items_total',
    "Items whose popularity was copied into their categories' top lists",
  );
  const failures = options.metrics.counter(
    'category_tops_refresh_failures_total',
    'Category top list refreshes that failed (retried at the next tick)',
  );
  const duration = options.metrics.histogram(
    'category_tops_refresh_seconds',
    'One refresh of the category top lists, all pending items',
    LATENCY_BUCKETS_S,
  );
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running !== undefined) return;
    const end = duration.startTimer();
    running = options
      .refresh()
      .then(
        (items) => void refreshed.inc(items),
        (err: unknown) => {
          failures.inc();
          options.logger.warn({ err }, 'category top lists refresh failed; retrying at the next tick');
        },
      )
      .finally(() => {
        end();
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
