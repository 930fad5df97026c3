/**
 * Logs every answer as an impression event on the events topic, off the request's path: `record`
 * returns at once, and impressions leave in batches — while one produce is out, the next ones
 * queue and leave together when it is acknowledged (acks=all, the product's idempotent producer).
 *
 * Bounded: at most `maxPending` impressions wait or travel at a time. Beyond that an impression is
 * dropped, never the response delayed. Nothing is lost silently: every impression ends in exactly
 * one outcome of `rec_serving_impressions_total` — produced, failed (Kafka did not acknowledge in
 * time; the produce is not retried, so a Kafka outage costs impressions, not latency), dropped
 * (queue full), skipped (no shopper id to key the event by, or an empty answer) or invalid (the
 * contract refused it: a bug, logged) — and `rec_serving_impressions_pending` shows the backlog.
 */
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { eventPartitionKey, type ContractValidators } from '@recstream/schemas';
import { impressionEvent, type Impression } from './impression-event.js';

/** What the log needs of a producer: `@recstream/kafka`'s ProducerHandle fits. */
export interface ImpressionProducer {
  send(topic: string, messages: { key: string; value: string }[]): Promise<void>;
}

export type ImpressionOutcome =
  'produced' | 'failed' | 'dropped' | 'skipped_no_shopper' | 'skipped_empty' | 'invalid';

export interface ImpressionLog {
  /** Queues the impression of an answer; never throws, never waits. */
  record(impression: Impression): void;
  /** Resolves when everything queued so far has been produced or has failed (shutdown). */
  drain(): Promise<void>;
}

export interface ImpressionLogOptions {
  readonly producer: ImpressionProducer;
  readonly topic: string;
  readonly validators: ContractValidators;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  /** Impressions queued or in flight, at most. */
  readonly maxPending: number;
  /** Impressions per produce request, at most. */
  readonly maxBatch?: number;
}

/** At most one log line per failure kind per this interval; the counters count every one. */
const LOG_INTERVAL_MS = 10_000;

export function createImpressionLog(options: ImpressionLogOptions): ImpressionLog {
  const maxBatch = options.maxBatch ?? 1000;
  const outcomes = options.metrics.counter(
    'impressions_total',
    'Impression events of answers, by outcome: produced, failed (not acknowledged), dropped (queue full), skipped_no_shopper, skipped_empty, invalid',
    ['outcome'],
  );
  const pendingGauge = options.metrics.gauge(
    'impressions_pending',
    'Impression events queued or being produced',
  );
  const queue: { key: string; value: string }[] = [];
  let inFlight = 0;
  let sending: Promise<void> | undefined;
  const lastLogged = new Map<string, number>();

  const count = (outcome: ImpressionOutcome, n = 1) => outcomes.inc({ outcome }, n);
  const updateGauge = () => pendingGauge.set(queue.length + inFlight);
  function logThrottled(kind: string, fields: Record<string, unknown>, message: string) {
    const now = Date.now();
    if (now - (lastLogged.get(kind) ?? -Infinity) < LOG_INTERVAL_MS) return;
    lastLogged.set(kind, now);
    options.logger.warn(fields, message);
  }

  async function pump(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight = batch.length;
      try {
        await options.producer.send(options.topic, batch);
        count('produced', batch.length);
      } catch (err) {
        count('failed', batch.length);
        logThrottled(
          'failed',
          { err, impressions: batch.length },
          'impressions not acknowledged by kafka, counted as failed',
        );
      } finally {
        inFlight = 0;
        updateGauge();
      }
    }
  }

  function start() {
    sending ??= pump().finally(() => {
      sending = undefined;
      // Impressions queued while the last batch finished its bookkeeping.
      if (queue.length > 0) start();
    });
  }

  return {
    record(impression) {
      const verdict = impressionEvent(impression, options.validators);
      if (!verdict.ok) {
        if (verdict.reason === 'invalid') {
          count('invalid');
          logThrottled(
            'invalid',
            { problems: verdict.problems, list: impression.list },
            'impression refused by the event contract',
          );
        } else count(verdict.reason === 'no_shopper' ? 'skipped_no_shopper' : 'skipped_empty');
        return;
      }
      if (queue.length + inFlight >= options.maxPending) {
        count('dropped');
        logThrottled(
          'dropped',
          { maxPending: options.maxPending },
          'impression queue full, impressions dropped',
        );
        return;
      }
      queue.push({ key: eventPartitionKey(verdict.event), value: JSON.stringify(verdict.event) });
      updateGauge();
      start();
    },
    async drain() {
      while (sending !== undefined) await sending;
    },
  };
}
