/**
 * `replay <dataset>`: reads a real dataset in time order, sends minimal catalog items for the
 * items it references, then streams its events at a fixed rate or at the original pace sped up.
 */
import { startProgressReporter } from '../pump/progress.reporter.js';
import { pumpEvents } from '../pump/traffic.pump.js';
import { TrafficStats } from '../pump/traffic.stats.js';
import { FixedRatePacer, TimeScalePacer, type Pacer } from '../rate/rate-limiter.js';
import { loadDataset } from '../replay/datasets.js';
import type { DatasetName } from '../replay/replay.dataset.js';
import { errorMessage, sendCatalog, type RunSummary } from './run.summary.js';
import type { RunDeps } from './simulate.run.js';

export type ReplayPace =
  | { readonly kind: 'rate'; readonly eventsPerSecond: number }
  | { readonly kind: 'speed'; readonly factor: number; readonly maxGapMs: number };

export interface ReplayOptions {
  readonly dataset: DatasetName;
  /** Dataset folder or file. */
  readonly path: string;
  readonly pace: ReplayPace;
  readonly limit?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly progressIntervalMs: number;
  /** ml-100k only: ratings at or above this also become add_to_cart. */
  readonly cartMinRating?: number | undefined;
}

function pacerFor(pace: ReplayPace): Pacer {
  switch (pace.kind) {
    case 'rate':
      return new FixedRatePacer(pace.eventsPerSecond);
    case 'speed':
      return new TimeScalePacer(pace.factor, pace.maxGapMs);
  }
}

export async function runReplay(options: ReplayOptions, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now().getTime();
  const stats = new TrafficStats();
  const { logger } = deps;

  const dataset = await loadDataset(options.dataset, options.path, {
    limit: options.limit,
    now: now(),
    cartMinRating: options.cartMinRating,
  });
  const details = {
    dataset: dataset.name,
    file: dataset.file,
    rows: dataset.rows,
    items: dataset.items.length,
    pace: options.pace,
  };
  logger.info(details, 'dataset loaded');
  const summary = (end: RunSummary['end'], error?: unknown): RunSummary => ({
    mode: 'replay',
    end,
    elapsed_s: Math.round((now().getTime() - startedAt) / 100) / 10,
    counts: stats.snapshot(),
    ...(error === undefined ? {} : { error: errorMessage(error) ?? 'unknown error' }),
    details,
  });

  const catalogSent = await sendCatalog(dataset.items, deps.sink, stats, logger);
  if (!catalogSent.ok) return summary('ingest-unavailable', catalogSent.error);
  if (deps.stop.aborted) return summary('stopped');

  const progress = startProgressReporter(stats, logger, options.progressIntervalMs);
  try {
    const result = await pumpEvents(
      dataset.events(),
      { sink: deps.sink, pacer: pacerFor(options.pace), stats, logger },
      {
        batchSize: options.batchSize,
        flushIntervalMs: options.flushIntervalMs,
        stop: deps.stop,
        durationMs: options.durationMs,
      },
    );
    return summary(result.end, result.error);
  } finally {
    progress.stop();
  }
}
