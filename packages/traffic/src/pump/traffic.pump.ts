/**
 * Moves events from a source to ingest: paces them, stamps each with the time it is released
 * (the pipeline treats them as live traffic), batches them and sends one batch at a time while
 * the next one fills, so order is kept. Stops when the source ends, the duration is up, the stop
 * signal fires (then the batch being filled is still sent and the in-flight one awaited), or
 * ingest stays unavailable after the client's retries.
 */
import type { ClickstreamEvent } from '@recstream/schemas';
import type { TrafficLogger } from '../log.js';
import type { Pacer } from '../rate/rate-limiter.js';
import { abortableSleep, type BatchOutcome } from '../sender/ingest.client.js';
import type { TrafficStats } from './traffic.stats.js';

export interface PacedEvent {
  /** Without `timestamp`: the pump sets it on release. */
  readonly event: ClickstreamEvent;
  /** Original event time, for time-scaled replay. */
  readonly originalTsMs?: number | undefined;
}

export interface EventSink {
  sendEvents(events: readonly ClickstreamEvent[]): Promise<BatchOutcome>;
}

export interface PumpDeps {
  readonly sink: EventSink;
  readonly pacer: Pacer;
  readonly stats: TrafficStats;
  readonly logger: TrafficLogger;
  readonly clock?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PumpOptions {
  readonly batchSize: number;
  /** A batch that has waited this long is sent even if not full. */
  readonly flushIntervalMs: number;
  /** Graceful stop (SIGINT/SIGTERM). */
  readonly stop: AbortSignal;
  readonly durationMs?: number | undefined;
}

export type PumpEnd = 'source-ended' | 'duration' | 'stopped' | 'ingest-unavailable';

export interface PumpResult {
  readonly end: PumpEnd;
  readonly error?: unknown;
}

/** How many rejected entries of one batch are logged one by one. */
const REJECTIONS_LOGGED_PER_BATCH = 5;

export async function pumpEvents(
  source: Iterable<PacedEvent> | AsyncIterable<PacedEvent>,
  deps: PumpDeps,
  options: PumpOptions,
): Promise<PumpResult> {
  if (!(options.batchSize >= 1)) throw new Error('batchSize must be at least 1');
  const clock = deps.clock ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const { stats, logger } = deps;
  const { stop } = options;
  // A function, not a property read, so control-flow narrowing does not freeze it across awaits.
  const stopped = (): boolean => stop.aborted;
  const startedAt = clock();
  const deadline = options.durationMs === undefined ? undefined : startedAt + options.durationMs;

  let fatal: unknown;
  let inFlight: Promise<void> | undefined;
  let batch: ClickstreamEvent[] = [];
  let batchOpenedAt = 0;

  const send = async (events: ClickstreamEvent[]): Promise<void> => {
    try {
      const outcome = await deps.sink.sendEvents(events);
      stats.recordEvents(outcome);
      outcome.rejected.slice(0, REJECTIONS_LOGGED_PER_BATCH).forEach((entry) => {
        logger.warn(
          { event_id: events[entry.index]?.event_id, problems: entry.problems },
          'ingest rejected event',
        );
      });
      if (outcome.rejected.length > REJECTIONS_LOGGED_PER_BATCH) {
        logger.warn(
          { more: outcome.rejected.length - REJECTIONS_LOGGED_PER_BATCH },
          'ingest rejected more events in batch',
        );
      }
    } catch (error) {
      fatal = error;
      stats.counts.unsent += events.length;
      logger.error({ err: error, events: events.length }, 'ingest unavailable, batch not delivered');
    }
  };

  /** Waits for the previous batch, then starts sending this one without waiting for it. */
  const dispatch = async (): Promise<void> => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    if (inFlight !== undefined) await inFlight;
    if (fatal !== undefined) {
      stats.counts.unsent += events.length;
      return;
    }
    inFlight = send(events);
  };

  let end: PumpEnd = 'source-ended';
  for await (const paced of source) {
    if (stopped()) {
      end = 'stopped';
      break;
    }
    if (fatal !== undefined) {
      end = 'ingest-unavailable';
      break;
    }
    const delay = deps.pacer.delayMs(paced.originalTsMs, clock());
    if (deadline !== undefined && clock() + delay >= deadline) {
      await sleep(Math.max(0, deadline - clock()), stop);
      end = stopped() ? 'stopped' : 'duration';
      break;
    }
    if (delay >= 1) {
      // Do not hold a batch back through a long gap.
      if (batch.length > 0 && clock() + delay - batchOpenedAt >= options.flushIntervalMs) await dispatch();
      await sleep(delay, stop);
      if (stopped()) {
        end = 'stopped';
        break;
      }
    }
    const now = clock();
    if (batch.length === 0) batchOpenedAt = now;
    batch.push({ ...paced.event, timestamp: new Date(now).toISOString() });
    stats.counts.released += 1;
    if (batch.length >= options.batchSize || now - batchOpenedAt >= options.flushIntervalMs) await dispatch();
  }

  await dispatch();
  if (inFlight !== undefined) await inFlight;
  if (fatal !== undefined) return { end: 'ingest-unavailable', error: fatal };
  return { end };
}
