/** What a run reports at the end, and the shared step that sends a catalog before the events. */
import type { CatalogItem } from '@recstream/schemas';
import type { TrafficLogger } from '../log.js';
import type { PumpEnd, EventSink } from '../pump/traffic.pump.js';
import type { TrafficCounts, TrafficStats } from '../pump/traffic.stats.js';
import type { BatchOutcome } from '../sender/ingest.client.js';

export interface TrafficSink extends EventSink {
  sendItems(items: readonly CatalogItem[]): Promise<BatchOutcome[]>;
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
