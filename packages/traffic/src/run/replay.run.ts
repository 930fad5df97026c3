/**
 * `replay <dataset>`: reads a real dataset in time order, sends minimal catalog items for the
 * items it references, then streams its events at a fixed rate or at the original pace sped up.
 */
import { FixedRatePacer, TimeScalePacer, type Pacer } from '../rate/rate-limiter.js';
import { loadDataset } from '../replay/datasets.js';
import type { DatasetName } from '../replay/replay.dataset.js';
import { executeRun, type RunDeps, type RunSummary } from './run.summary.js';

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
  const startedAt = now();
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
  deps.logger.info(details, 'dataset loaded');
  return executeRun(
    {
      mode: 'replay',
      details,
      startedAt,
      items: dataset.items,
      events: () => dataset.events(),
      pacer: pacerFor(options.pace),
      batchSize: options.batchSize,
      flushIntervalMs: options.flushIntervalMs,
      durationMs: options.durationMs,
      progressIntervalMs: options.progressIntervalMs,
    },
    deps,
  );
}
