/** One progress line every few seconds: counts so far and the current release rate. */
import type { TrafficLogger } from '../log.js';
import type { TrafficStats } from './traffic.stats.js';

export interface ProgressReporter {
  /** Stops the timer; the caller prints the summary. */
  stop(): void;
}

export function startProgressReporter(
  stats: TrafficStats,
  logger: TrafficLogger,
  intervalMs: number,
  clock: () => number = Date.now,
): ProgressReporter {
  let lastAt = clock();
  let lastReleased = stats.counts.released;
  const report = (): void => {
    const now = clock();
    const { released, sent, accepted, rejected, retried, refused, unsent } = stats.counts;
    const seconds = Math.max(0.001, (now - lastAt) / 1000);
    const rate = Math.round(((released - lastReleased) / seconds) * 10) / 10;
    lastAt = now;
    lastReleased = released;
    logger.info(
      { released, sent, accepted, rejected, retried, refused, unsent, rate_per_s: rate },
      'traffic progress',
    );
  };
  const timer = setInterval(report, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
