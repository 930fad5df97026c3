/**
 * One batch writer per table: rows are buffered and inserted in large batches, flushed when the
 * buffer reaches `maxRows` or `maxDelayMs` after its first row, and on stop.
 *
 * `write(rows)` resolves only once an insert containing those rows has succeeded, so a Kafka
 * consumer can resolve its offsets after it — never before. Transient insert failures are retried
 * with backoff until they succeed; `stop()` keeps trying to flush until the process's shutdown
 * deadline ends it, and rows never written were never acknowledged, so Kafka delivers them again
 * after a restart.
 *
 * A permanent failure is most often one row ClickHouse cannot read, and one insert carries every
 * partition's rows: the writer then splits the refused batch in halves, inserting each (with the
 * same retries and deduplication), until it has found the rows refused on their own. Every other
 * row is stored; each write holding a refused row is rejected with a `RefusedRowsError` naming
 * those rows by their index in that write (the caller parks them), and writes without one resolve.
 * The search is bounded (`maxIsolationInserts`, about 2·log2(rows) inserts per bad row): past it,
 * the rows not yet stored are all reported refused, with the error of the insert that held them,
 * so a failure every row shares (a missing table) costs a bounded number of attempts, never a loss.
 * Nothing is ever dropped silently.
 * The buffer is bounded: when `maxBufferedRows` are waiting, `write` waits for room (backpressure).
 * With `deduplicate`, each insert attempt first drops rows already stored (see dedup.ts): a retry
 * after an insert that failed half-way, or a redelivery after a crash, never writes a row twice.
 *
 * An insert the client gave up on (its request timeout, a lost connection) keeps running on the
 * server: 18.16 neither cancels it nor bounds it by `max_execution_time`. Each batch's inserts
 * therefore carry one query id, and a retry first waits until `system.processes` no longer shows
 * it (in bounded slices; the server also refuses a second insert under a running id), so the
 * deduplication sees what the earlier attempt stored instead of inserting the rows beside it.
 * Rows that a failed attempt had stored are counted and logged: the server writes the base table
 * before it pushes the rows to the materialized views, so when the failure was a view's push,
 * those views miss them (docs/decisions.md, L3).
 */
import {
  ERROR_CODES,
  PermanentError,
  TransientError,
  errorMessage,
  isTransient,
  backoffDelayMs,
  sleep,
} from '@recstream/errors';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { LATENCY_BUCKETS_S } from '@recstream/metrics';
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from './client.js';
import type { RowDeduplicator } from './dedup.js';
import { sql } from './sql.js';

export interface BatchWriterOptions {
  readonly table: string;
  readonly maxRows: number;
  readonly maxDelayMs: number;
  readonly maxBufferedRows: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly deduplicate?: RowDeduplicator;
  /**
   * Inserts allowed per flush to isolate the rows of a refused batch (see above); 0 rejects the
   * whole batch at once, with the error. Default 100.
   */
  readonly maxIsolationInserts?: number;
  /**
   * How long a retry waits at most, per attempt, for the server to finish the batch's previous
   * insert; past it the attempt fails as transient and the next one waits again. Default 10 s.
   */
  readonly settleTimeoutMs?: number;
}

/**
 * Some rows of a write were refused by ClickHouse for good; every other row of that write is
 * stored. `refused` maps the index of each refused row (in the rows given to `write`) to the error
 * of the smallest insert that held it.
 */
export class RefusedRowsError extends PermanentError {
  readonly refused: ReadonlyMap<number, unknown>;

  constructor(table: string, refused: ReadonlyMap<number, unknown>, rows: number) {
    const [first] = refused.values();
    super(
      ERROR_CODES.invalidInput,
      `clickhouse refused ${refused.size} of ${rows} rows for ${table}, the others are stored: ${errorMessage(first)}`,
      { cause: first, details: { table, refused: refused.size, rows } },
    );
    this.refused = refused;
  }
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
    storedByFailedInsert: metrics.counter(
      'clickhouse_rows_stored_by_failed_insert_total',
      'Rows an insert that reported failure had stored; materialized views may miss them',
      ['table'],
    ),
    refused: metrics.counter(
      'clickhouse_refused_rows_total',
      'Rows ClickHouse refused for good, isolated from the batch that held them and handed back',
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

  /** Resolves once the server no longer runs `queryId`; throws a transient error past the bound. */
  async function settle(queryId: string): Promise<void> {
    const deadline = Date.now() + (options.settleTimeoutMs ?? 10_000);
    for (;;) {
      const [running] = await clickhouse.query<{ n: string | number }>(
        sql`SELECT count() AS n FROM system.processes WHERE query_id = ${queryId}`,
      );
      if (Number(running?.n ?? 0) === 0) return;
      if (Date.now() >= deadline || stopController.signal.aborted) {
        throw new TransientError(ERROR_CODES.unavailable, `an earlier insert into ${table} still runs`, {
          details: { table, queryId },
        });
      }
      await sleep(100, stopController.signal);
    }
  }

  async function insertWithRetry(rows: object[]): Promise<void> {
    const queryId = randomUUID();
    let attempted: readonly object[] = [];
    for (let attempt = 0; ; attempt += 1) {
      const endTimer = m.duration.startTimer({ table });
      try {
        if (attempt > 0) await settle(queryId);
        const fresh = options.deduplicate === undefined ? rows : await options.deduplicate(rows);
        if (attempted.length > 0) reportStoredByFailedInsert(attempted, fresh);
        attempted = fresh;
        await clickhouse.insert(table, fresh, { queryId });
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

  /**
   * The rows of the last failed attempt that the deduplication now finds stored: that attempt wrote
   * them (one writer per id), though it reported failure. When the failure came from a view's push
   * after the base insert, the views miss these rows for good; when only the answer was lost, they
   * are complete. The writer cannot tell which, so it says so loudly.
   */
  function reportStoredByFailedInsert(attempted: readonly object[], fresh: readonly object[]): void {
    const still = new Set(fresh);
    const stored = attempted.filter((row) => !still.has(row)).length;
    if (stored === 0) return;
    m.storedByFailedInsert.inc({ table }, stored);
    logger.error(
      { table, rows: stored },
      'an insert that failed had stored rows; materialized views may miss them (reconcile the rollups)',
    );
  }

  /**
   * Inserts `rows`; on a permanent refusal, splits them in halves and inserts each, recursively,
   * until the refused rows stand alone or the insert budget is spent. Returns the refused rows by
   * index, with the error of the smallest insert that held each. Throws only what
   * `insertWithRetry` throws for good: a transient error once the writer is stopping.
   */
  async function insertIsolating(rows: object[]): Promise<Map<number, unknown>> {
    const refused = new Map<number, unknown>();
    let budget = options.maxIsolationInserts ?? 100;
    const attempt = async (start: number, end: number): Promise<unknown> => {
      try {
        await insertWithRetry(rows.slice(start, end));
        return undefined;
      } catch (error) {
        if (isTransient(error)) throw error;
        return error;
      }
    };
    const first = await attempt(0, rows.length);
    if (first === undefined) return refused;
    if (budget <= 0) throw first instanceof Error ? first : new Error(errorMessage(first));
    // Depth first, so the parts created meanwhile stay few: one per half that succeeds.
    const pending: [number, number, unknown][] = [[0, rows.length, first]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [start, end, error] = next;
      if (end - start === 1 || budget <= 0) {
        for (let index = start; index < end; index += 1) refused.set(index, error);
        continue;
      }
      const middle = start + Math.ceil((end - start) / 2);
      for (const [from, to] of [
        [start, middle],
        [middle, end],
      ] as const) {
        if (budget <= 0) {
          pending.push([from, to, error]);
          continue;
        }
        budget -= 1;
        const failure = await attempt(from, to);
        if (failure !== undefined) pending.push([from, to, failure]);
      }
    }
    logger.warn(
      { table, rows: rows.length, refused: refused.size, err: first },
      'clickhouse refused rows of a batch; the others are stored',
    );
    m.refused.inc({ table }, refused.size);
    return refused;
  }

  async function flushOnce(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    const rows = batch.flatMap((pending) => pending.rows);
    try {
      const refused = await insertIsolating(rows);
      let offset = 0;
      for (const pending of batch) {
        const own = new Map<number, unknown>();
        for (let index = 0; index < pending.rows.length; index += 1) {
          if (refused.has(offset + index)) own.set(index, refused.get(offset + index));
        }
        offset += pending.rows.length;
        if (own.size === 0) pending.resolve();
        else pending.reject(new RefusedRowsError(table, own, pending.rows.length));
      }
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
