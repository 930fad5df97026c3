/**
 * One batch writer per table: rows are buffered and inserted in large batches, flushed when the
 * buffer reaches `maxRows` or `maxDelayMs` after its first row, and on stop.
 *
 * `write(rows)` resolves only once an insert containing those rows has succeeded, so a Kafka
 * consumer can resolve its offsets after it — never before. Transient insert failures are retried
 * with backoff until they succeed; `stop()` keeps trying to flush until the process's shutdown
 * deadline ends it, and rows never written were never acknowledged, so Kafka delivers them again
 * after a restart. A permanent failure rejects the writes of that
 * batch (the caller decides: DLQ or crash), it never drops them silently.
 * The buffer is bounded: when `maxBufferedRows` are waiting, `write` waits for room (backpressure).
 * With `deduplicate`, each insert attempt first drops rows already stored (see dedup.ts): a retry
 * after an insert that failed half-way, or a redelivery after a crash, never writes a row twice.
 */
import { isTransient, backoffDelayMs, sleep } from '@recstream/errors';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { LATENCY_BUCKETS_S } from '@recstream/metrics';
import type { ClickHouse } from './client.js';
import type { RowDeduplicator } from './dedup.js';

export interface BatchWriterOptions {
  readonly table: string;
  readonly maxRows: number;
  readonly maxDelayMs: number;
  readonly maxBufferedRows: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly deduplicate?: RowDeduplicator;
}

interface PendingWrite {
  readonly rows: readonly object[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchWriter {
  write(rows: readonly object[]): Promise<void>;
  /** Flushes what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and stops; later writes are refused. */
  stop(): Promise<void>;
  readonly bufferedRows: number;
}

type WriterMetrics = ReturnType<typeof buildMetrics>;
const metricsByRegistry = new WeakMap<object, WriterMetrics>();

function buildMetrics(metrics: ServiceMetrics) {
  return {
    rows: metrics.counter('clickhouse_rows_written_total', 'Rows inserted into ClickHouse', ['table']),
    batches: metrics.counter('clickhouse_batches_total', 'Insert batches by outcome', ['table', 'outcome']),
    duration: metrics.histogram('clickhouse_insert_duration_seconds', 'Insert latency', LATENCY_BUCKETS_S, [
      'table',
    ]),
    buffered: metrics.gauge('clickhouse_buffered_rows', 'Rows waiting to be inserted', ['table']),
    duplicates: metrics.counter(
      'clickhouse_duplicate_rows_skipped_total',
      'Rows not inserted because their id was already stored (redelivery, client retry)',
      ['table'],
    ),
  };
}

export function createBatchWriter(clickhouse: ClickHouse, options: BatchWriterOptions): BatchWriter {
  const { table, logger } = options;
  let metrics = metricsByRegistry.get(options.metrics.registry);
  if (metrics === undefined) {
    metrics = buildMetrics(options.metrics);
    metricsByRegistry.set(options.metrics.registry, metrics);
  }
  const m = metrics;
  let queue: PendingWrite[] = [];
  let buffered = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let stopped = false;
  const stopController = new AbortController();
  const roomWaiters: (() => void)[] = [];
  let waitingForRoom = 0;

  function scheduleFlush(): void {
    if (buffered >= options.maxRows) {
      void flush();
    } else {
      timer ??= setTimeout(() => void flush(), options.maxDelayMs);
    }
  }

  async function insertWithRetry(rows: object[]): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const endTimer = m.duration.startTimer({ table });
      try {
        const fresh = options.deduplicate === undefined ? rows : await options.deduplicate(rows);
        await clickhouse.insert(table, fresh);
        endTimer();
        m.batches.inc({ table, outcome: 'ok' });
        m.rows.inc({ table }, fresh.length);
        m.duplicates.inc({ table }, rows.length - fresh.length);
        return;
      } catch (error) {
        endTimer();
        if (!isTransient(error) || stopController.signal.aborted) {
          m.batches.inc({ table, outcome: 'failed' });
          throw error;
        }
        m.batches.inc({ table, outcome: 'retried' });
        const delayMs = backoffDelayMs(attempt, 200, 10_000);
        logger.warn(
          { table, rows: rows.length, attempt, delayMs, err: error },
          'clickhouse insert failed, retrying',
        );
        await sleep(delayMs, stopController.signal);
      }
    }
  }

  async function flushOnce(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    const rows = batch.flatMap((pending) => pending.rows);
    try {
      await insertWithRetry(rows);
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      buffered -= rows.length;
      m.buffered.set({ table }, buffered);
      roomWaiters.splice(0).forEach((wake) => wake());
    }
  }

  /** Re-entrancy guard: one insert at a time; rows arriving meanwhile go into the next batch. */
  async function flush(): Promise<void> {
    while (flushing !== undefined) await flushing;
    if (queue.length === 0) return;
    flushing = flushOnce().finally(() => {
      flushing = undefined;
    });
    await flushing;
    if (buffered > 0 && queue.length > 0) scheduleFlush();
  }

  return {
    async write(rows) {
      if (stopped) throw new Error(`batch writer for ${table} is stopped`);
      if (rows.length === 0) return;
      while (buffered > 0 && buffered + rows.length > options.maxBufferedRows) {
        waitingForRoom += 1;
        await new Promise<void>((resolve) => roomWaiters.push(resolve));
        waitingForRoom -= 1;
      }
      const done = new Promise<void>((resolve, reject) => queue.push({ rows, resolve, reject }));
      buffered += rows.length;
      m.buffered.set({ table }, buffered);
      scheduleFlush();
      return done;
    },
    flush,
    async stop() {
      stopped = true;
      // Writes accepted before stop that were waiting for room join the queue as flushes free it.
      do {
        await flush();
      } while (queue.length > 0 || waitingForRoom > 0);
      stopController.abort();
    },
    get bufferedRows() {
      return buffered;
    },
  };
}
