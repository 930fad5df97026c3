/**
 * What a run reports at the end, and the steps every run shares once its catalog and events are
 * ready: send the catalog, then pump the events with progress reports.
 */
import type { CatalogItem } from '@recstream/schemas';
import type { TrafficLogger } from '../log.js';
import { startProgressReporter } from '../pump/progress.reporter.js';
import { pumpEvents, type EventSink, type PacedEvent, type PumpEnd } from '../pump/traffic.pump.js';
import { TrafficStats, type TrafficCounts } from '../pump/traffic.stats.js';
import type { Pacer } from '../rate/rate-limiter.js';
import type { BatchOutcome } from '../sender/ingest.client.js';

export interface TrafficSink extends EventSink {
  sendItems(items: readonly CatalogItem[]): Promise<BatchOutcome[]>;
}

export interface RunDeps {
  readonly sink: TrafficSink;
  readonly logger: TrafficLogger;
  /** Graceful stop: finish the batch being filled and the one in flight. */
  readonly stop: AbortSignal;
  readonly now?: () => Date;
}

export interface RunSummary {
  readonly mode: 'simulate' | 'replay';
  readonly end: PumpEnd;
  readonly elapsed_s: number;
  readonly counts: TrafficCounts;
  /** Set when the run ended because ingest stayed unavailable. */
  readonly error?: string;
  /** Mode-specific facts: seed and run id, or dataset, file and rows. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** A run failed if ingest went away or refused anything we sent (a 4xx is a bug on our side). */
export function runFailed(summary: RunSummary): boolean {
  return (
    summary.end === 'ingest-unavailable' || summary.counts.refused > 0 || summary.counts.itemsRejected > 0
  );
}

/** Sends the catalog; returns false when ingest is unavailable (the run cannot start). */
export async function sendCatalog(
  items: readonly CatalogItem[],
  sink: TrafficSink,
  stats: TrafficStats,
  logger: TrafficLogger,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const outcomes = await sink.sendItems(items);
    outcomes.forEach((o) => stats.recordItems(o));
    outcomes.forEach((o) => {
      o.rejected
        .slice(0, 5)
        .forEach((r) => logger.warn({ index: r.index, problems: r.problems }, 'ingest rejected item'));
    });
    const { itemsSent, itemsAccepted, itemsRejected } = stats.counts;
    logger.info({ items: itemsSent, accepted: itemsAccepted, rejected: itemsRejected }, 'catalog sent');
    return { ok: true };
  } catch (error) {
    logger.error({ err: error }, 'ingest unavailable, catalog not sent');
    return { ok: false, error };
  }
}

export function errorMessage(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

export interface RunPlan {
  readonly mode: RunSummary['mode'];
  readonly details: Readonly<Record<string, unknown>>;
  /** When the run started (its elapsed time counts from there). */
  readonly startedAt: Date;
  readonly items: readonly CatalogItem[];
  /** The events, made once the catalog is in. */
  readonly events: () => Iterable<PacedEvent>;
  readonly pacer: Pacer;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly durationMs?: number | undefined;
  readonly progressIntervalMs: number;
}

/** Sends the plan's catalog, then its events; the summary says how the run ended. */
export async function executeRun(plan: RunPlan, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const stats = new TrafficStats();
  const { logger } = deps;
  const summary = (end: RunSummary['end'], error?: unknown): RunSummary => ({
    mode: plan.mode,
    end,
    elapsed_s: Math.round((now().getTime() - plan.startedAt.getTime()) / 100) / 10,
    counts: stats.snapshot(),
    ...(error === undefined ? {} : { error: errorMessage(error) ?? 'unknown error' }),
    details: plan.details,
  });

  const catalogSent = await sendCatalog(plan.items, deps.sink, stats, logger);
  if (!catalogSent.ok) return summary('ingest-unavailable', catalogSent.error);
  if (deps.stop.aborted) return summary('stopped');

  const events = plan.events();
  const progress = startProgressReporter(stats, logger, plan.progressIntervalMs);
  try {
    const result = await pumpEvents(
      events,
      { sink: deps.sink, pacer: plan.pacer, stats, logger },
      {
        batchSize: plan.batchSize,
        flushIntervalMs: plan.flushIntervalMs,
        stop: deps.stop,
        durationMs: plan.durationMs,
      },
    );
    return summary(result.end, result.error);
  } finally {
    progress.stop();
  }
}
