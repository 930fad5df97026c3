import t from 'tap';
import { ERROR_CODES, PermanentError, TransientError } from '@recstream/errors';
import { createLogger } from '@recstream/logger';
import { createMetrics, type ServiceMetrics } from '@recstream/metrics';
import { createBatchWriter, RefusedRowsError, type BatchWriterOptions } from './batch-writer.js';
import type { ClickHouse } from './client.js';

const logger = createLogger({ service: 'test', level: 'silent' });

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface InsertCall {
  readonly table: string;
  readonly rows: readonly object[];
  readonly done: Deferred;
}

/**
 * A ClickHouse whose inserts the test settles by hand (`manual`), or that answers each insert with
 * the next scripted outcome (an error to throw, or `'ok'`), then succeeds.
 */
function fakeClickHouse(
  options: {
    manual?: boolean;
    script?: (Error | 'ok')[];
    /** Refuses an insert (after the script) when it holds a row this returns an error for. */
    refuse?: (row: { id: number }) => Error | undefined;
  } = {},
) {
  const calls: InsertCall[] = [];
  const stored: number[] = [];
  const script = [...(options.script ?? [])];
  let active = 0;
  let maxActive = 0;
  const clickhouse: ClickHouse = {
    database: 'test_db',
    driver: undefined as never,
    command: () => Promise.reject(new Error('unexpected command')),
    // A retry first asks whether the batch's earlier insert still runs: here it never does.
    query: <Row>(query: string) =>
      query.includes('system.processes')
        ? Promise.resolve([{ n: '0' }] as Row[])
        : Promise.reject(new Error('unexpected query')),
    queryWithTable: () => Promise.reject(new Error('unexpected query')),
    stream: () => {
      throw new Error('unexpected stream');
    },
    async insert(table, rows) {
      const call: InsertCall = { table, rows: [...rows], done: deferred() };
      calls.push(call);
      active += 1;
      maxActive = Math.max(maxActive, active);
      try {
        if (options.manual === true) {
          await call.done.promise;
          return;
        }
        const next = script.shift() ?? 'ok';
        if (next !== 'ok') throw next;
        for (const row of rows) {
          const error = options.refuse?.(row as { id: number });
          if (error !== undefined) throw error;
        }
        stored.push(...rows.map((row) => (row as { id: number }).id));
      } finally {
        active -= 1;
      }
    },
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return {
    clickhouse,
    calls,
    get maxActive() {
      return maxActive;
    },
    /** Ids of the rows of every insert that succeeded, in order. */
    stored,
    /** The rows of each insert, as ids. */
    ids: () => calls.map((call) => call.rows.map((row) => (row as { id: number }).id)),
  };
}

function writerOptions(
  overrides: Partial<BatchWriterOptions> = {},
): BatchWriterOptions & { metrics: ServiceMetrics } {
  return {
    table: 'events',
    maxRows: 1000,
    maxDelayMs: 60_000,
    maxBufferedRows: 10_000,
    logger,
    metrics: createMetrics('test', { defaultMetrics: false }),
    ...overrides,
  };
}

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
function track(promise: Promise<void>) {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => (state.settled = true),
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Lets pending promise callbacks and immediate timers run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(what: string, condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Fails fast instead of waiting for a long flush timer when a size-triggered flush did not happen. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

t.test('flushes as soon as maxRows rows are buffered', async (t) => {
  const ch = fakeClickHouse();
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 3 }));
  t.teardown(() => writer.stop());
  const first = writer.write(rows(1, 2));
  await settle();
  t.equal(ch.calls.length, 0, 'below maxRows nothing is inserted yet');
  t.equal(writer.bufferedRows, 2);
  const second = writer.write(rows(3));
  await within(Promise.all([first, second]), 1000, 'size-triggered flush');
  t.same(ch.ids(), [[1, 2, 3]], 'one insert with all rows, in order');
  t.equal(ch.calls[0]?.table, 'events', 'into the writer table');
  t.equal(writer.bufferedRows, 0);
});

t.test('flushes maxDelayMs after the first row when the batch stays small', async (t) => {
  const ch = fakeClickHouse();
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxDelayMs: 60 }));
  t.teardown(() => writer.stop());
  const started = Date.now();
  const write = writer.write(rows(1));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(ch.calls.length, 0, 'not inserted before the delay');
  await write;
  t.ok(Date.now() - started >= 55, 'inserted once the delay passed');
  t.same(ch.ids(), [[1]]);
});

t.test('write resolves only after the insert succeeded', async (t) => {
  const ch = fakeClickHouse({ manual: true });
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 1 }));
  const write = track(writer.write(rows(1)));
  await until('insert started', () => ch.calls.length === 1);
  await settle();
  t.notOk(write.settled, 'still pending while ClickHouse has not answered');
  ch.calls[0]?.done.resolve();
  await until('write resolved', () => write.settled);
  t.equal(write.error, undefined, 'resolved, not rejected');
  await writer.stop();
});

t.test('transient insert errors are retried until the insert succeeds', async (t) => {
  const transient = () =>
    new TransientError(ERROR_CODES.unavailable, 'clickhouse insert failed: ECONNREFUSED');
  const ch = fakeClickHouse({ script: [transient(), transient(), 'ok'] });
  const options = writerOptions({ maxRows: 2 });
  const writer = createBatchWriter(ch.clickhouse, options);
  await within(Promise.all([writer.write(rows(1)), writer.write(rows(2))]), 5000, 'retried insert');
  t.same(
    ch.ids(),
    [
      [1, 2],
      [1, 2],
      [1, 2],
    ],
    'the same batch was sent three times, nothing lost or duplicated in between',
  );
  const metrics = await options.metrics.registry.metrics();
  t.match(
    metrics,
    /rec_test_clickhouse_batches_total\{table="events",outcome="retried"\} 2/,
    'retries are counted',
  );
  t.match(metrics, /rec_test_clickhouse_rows_written_total\{table="events"\} 2/, 'rows are counted once');
  await writer.stop();
});

t.test(
  'without isolation a permanent error rejects every write of that batch, and the writer goes on',
  async (t) => {
    const refused = new PermanentError(ERROR_CODES.internal, 'clickhouse insert failed: Cannot parse input');
    const ch = fakeClickHouse({ script: [refused] });
    const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 3, maxIsolationInserts: 0 }));
    const first = writer.write(rows(1));
    const second = writer.write(rows(2, 3));
    await t.rejects(first, refused, 'the first write of the batch is rejected with the error');
    await t.rejects(second, refused, 'so is the second');
    t.equal(ch.calls.length, 1, 'a permanent error is not retried');
    t.equal(writer.bufferedRows, 0, 'the refused rows left the buffer');
    await t.resolves(within(writer.write(rows(4, 5, 6)), 1000, 'next batch'), 'a later batch is written');
    t.same(ch.ids(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await writer.stop();
  },
);

t.test('an unclassified driver error is treated as permanent, not retried forever', async (t) => {
  const ch = fakeClickHouse({ script: [new Error('something odd')] });
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 1 }));
  await t.rejects(writer.write(rows(1)), { message: 'something odd' });
  t.equal(ch.calls.length, 1);
  await writer.stop();
});

t.test('a full buffer makes write wait until a flush frees room', async (t) => {
  const ch = fakeClickHouse({ manual: true });
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxBufferedRows: 3 }));
  const first = track(writer.write(rows(1, 2)));
  const second = track(writer.write(rows(3, 4)));
  await settle();
  t.equal(writer.bufferedRows, 2, 'the second write is not buffered: 2 + 2 > 3');
  void writer.flush();
  await until('first insert', () => ch.calls.length === 1);
  t.same(ch.ids(), [[1, 2]], 'the waiting rows are not part of the batch in flight');
  await settle();
  t.notOk(second.settled, 'the second write still waits while the insert runs');
  ch.calls[0]?.done.resolve();
  await until('first write resolved', () => first.settled);
  await until('second write buffered', () => writer.bufferedRows === 2);
  t.notOk(second.settled, 'buffered now, but not yet inserted');
  void writer.flush();
  await until('second insert', () => ch.calls.length === 2);
  ch.calls[1]?.done.resolve();
  await until('second write resolved', () => second.settled);
  t.same(ch.ids(), [
    [1, 2],
    [3, 4],
  ]);
  t.equal(second.error, undefined);
  await writer.stop();
});

t.test('a single write larger than the buffer is accepted when the buffer is empty', async (t) => {
  const ch = fakeClickHouse();
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 2, maxBufferedRows: 2 }));
  await within(writer.write(rows(1, 2, 3, 4, 5)), 1000, 'oversize write');
  t.same(ch.ids(), [[1, 2, 3, 4, 5]], 'no deadlock: inserted as one batch');
  await writer.stop();
});

t.test('stop flushes what is buffered, then refuses writes', async (t) => {
  const ch = fakeClickHouse();
  const writer = createBatchWriter(ch.clickhouse, writerOptions());
  const pending = track(writer.write(rows(1, 2)));
  await writer.stop();
  t.same(ch.ids(), [[1, 2]], 'buffered rows were inserted by stop');
  await settle();
  t.ok(pending.settled && pending.error === undefined, 'and their write resolved');
  t.equal(writer.bufferedRows, 0);
  await t.rejects(writer.write(rows(3)), /stopped/, 'a write after stop is refused');
  t.equal(ch.calls.length, 1, 'and nothing more is inserted');
});

t.test('stop also flushes a write that was waiting for room', async (t) => {
  const ch = fakeClickHouse();
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxBufferedRows: 2 }));
  const first = track(writer.write(rows(1, 2)));
  const waiting = track(writer.write(rows(3)));
  await settle();
  t.equal(writer.bufferedRows, 2, 'the second write waits for room');
  await within(writer.stop(), 1000, 'stop');
  t.same(ch.ids().flat(), [1, 2, 3], 'every row accepted before stop was inserted by the time stop resolved');
  await settle();
  t.ok(first.settled && first.error === undefined);
  t.ok(waiting.settled && waiting.error === undefined, 'the waiting write resolved');
});

t.test('stop with nothing buffered inserts nothing', async (t) => {
  const ch = fakeClickHouse();
  const writer = createBatchWriter(ch.clickhouse, writerOptions());
  await writer.stop();
  t.equal(ch.calls.length, 0);
});

t.test('one insert at a time: rows arriving during an insert go into the next batch', async (t) => {
  const ch = fakeClickHouse({ manual: true });
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 2 }));
  const first = track(writer.write(rows(1, 2)));
  await until('first insert', () => ch.calls.length === 1);
  const second = track(writer.write(rows(3, 4)));
  const third = track(writer.write(rows(5)));
  void writer.flush();
  void writer.flush();
  await settle();
  t.equal(
    ch.calls.length,
    1,
    'no second insert while the first is in flight, though a full batch is waiting',
  );
  ch.calls[0]?.done.resolve();
  await until('second insert', () => ch.calls.length === 2);
  t.same(ch.ids()[1], [3, 4, 5], 'everything that arrived meanwhile forms the next batch');
  ch.calls[1]?.done.resolve();
  await until('all resolved', () => first.settled && second.settled && third.settled);
  t.equal(ch.maxActive, 1, 'never two inserts at once');
  t.equal(ch.calls.length, 2);
  await writer.stop();
});

const cannotParse = (id: number) =>
  new PermanentError(ERROR_CODES.internal, `clickhouse insert failed: Cannot parse input (row id ${id})`);

/** Writes `ids` split into writes of `perWrite` rows, all in one batch; settles every write. */
async function writeBatch(writer: ReturnType<typeof createBatchWriter>, ids: number[], perWrite: number) {
  const writes: number[][] = [];
  for (let start = 0; start < ids.length; start += perWrite) writes.push(ids.slice(start, start + perWrite));
  return Promise.all(
    writes.map((write) =>
      writer.write(rows(...write)).then(
        () => ({ write, refused: [] as number[], error: undefined as unknown }),
        (error: unknown) => ({
          write,
          refused:
            error instanceof RefusedRowsError
              ? [...error.refused.keys()].map((index) => write[index] ?? -1)
              : [],
          error,
        }),
      ),
    ),
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

t.test(
  'a refused batch is split until the refused row stands alone; every other row is stored once',
  async (t) => {
    const ch = fakeClickHouse({ refuse: (row) => (row.id === 737 ? cannotParse(737) : undefined) });
    const options = writerOptions({ maxRows: 1000 });
    const writer = createBatchWriter(ch.clickhouse, options);
    const ids = range(0, 1000);
    const results = await writeBatch(writer, ids, 100);
    const failed = results.filter((result) => result.error !== undefined);
    t.equal(failed.length, 1, 'only the write holding the bad row is rejected');
    t.type(failed[0]?.error, RefusedRowsError);
    t.same(failed[0]?.refused, [737], 'naming that row alone, by its index in the write');
    const error = failed[0]?.error as RefusedRowsError;
    t.match(errorMessageOf(error.refused.get(37)), /row id 737/, 'with the error of its own insert');
    t.match(error.message, /refused 1 of 100 rows for events, the others are stored/);
    t.same(
      [...ch.stored].sort((a, b) => a - b),
      ids.filter((id) => id !== 737),
      'every other row of every write is stored, exactly once',
    );
    t.ok(ch.calls.length <= 1 + 2 * Math.ceil(Math.log2(1000)), `a few inserts (${ch.calls.length})`);
    const metrics = await options.metrics.registry.metrics();
    t.match(
      metrics,
      /rec_test_clickhouse_refused_rows_total\{table="events"\} 1/,
      'the refused row is counted',
    );
    t.match(metrics, /rec_test_clickhouse_rows_written_total\{table="events"\} 999/);
    const next = writer.write(rows(2000));
    void writer.flush();
    await t.resolves(next, 'the writer goes on');
    await writer.stop();
  },
);

function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

t.test('several refused rows, in several writes, including the first and the last row', async (t) => {
  const bad = new Set([0, 1, 250, 499]);
  const ch = fakeClickHouse({ refuse: (row) => (bad.has(row.id) ? cannotParse(row.id) : undefined) });
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 500, maxIsolationInserts: 200 }));
  const results = await writeBatch(writer, range(0, 500), 50);
  t.same(
    results.flatMap((result) => result.refused).sort((a, b) => a - b),
    [...bad],
    'exactly the bad rows are refused',
  );
  t.equal(results.filter((result) => result.error !== undefined).length, 3, 'three writes hold them');
  t.same(
    [...ch.stored].sort((a, b) => a - b),
    range(0, 500).filter((id) => !bad.has(id)),
  );
  await writer.stop();
});

t.test('a failure every row shares costs a bounded number of inserts and refuses every row', async (t) => {
  const missing = new PermanentError(
    ERROR_CODES.internal,
    'clickhouse insert failed: Table test_db.events does not exist',
  );
  const ch = fakeClickHouse({ refuse: () => missing });
  const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 1000, maxIsolationInserts: 20 }));
  const results = await writeBatch(writer, range(0, 1000), 250);
  t.equal(ch.calls.length, 21, 'the first insert and the budget of 20, no more');
  t.same(
    results.flatMap((result) => result.refused).sort((a, b) => a - b),
    range(0, 1000),
    'every row is handed back as refused, none is dropped',
  );
  t.ok(
    results.every((result) => result.error instanceof RefusedRowsError),
    'each write learns which of its rows were not stored',
  );
  t.same(ch.stored, []);
  await writer.stop();
});

t.test(
  'while isolating, a transient error is retried and deduplication runs before each insert',
  async (t) => {
    let transientLeft = 2;
    const ch = fakeClickHouse({
      refuse: (row) => {
        if (row.id === 5) return cannotParse(5);
        if (row.id === 2 && transientLeft > 0) {
          transientLeft -= 1;
          return new TransientError(ERROR_CODES.unavailable, 'clickhouse insert failed: ECONNRESET');
        }
        return undefined;
      },
    });
    const deduplicate = (batch: readonly object[]) => {
      const seen = new Set<number>();
      const fresh = batch.filter((row) => {
        const id = (row as { id: number }).id;
        if (ch.stored.includes(id) || seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      return Promise.resolve(fresh);
    };
    const writer = createBatchWriter(ch.clickhouse, writerOptions({ maxRows: 8, deduplicate }));
    // A copy of 3 in the batch (a client retry): stored once, whichever half holds the first copy.
    const batch = [0, 1, 2, 3, 3, 4, 5, 6];
    const pending = writeBatch(writer, batch, 8);
    const [result] = await within(pending, 5000, 'isolation with retries');
    t.same(result?.refused, [5]);
    t.equal(transientLeft, 0, 'the transient errors were retried');
    t.same(
      [...ch.stored].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 6],
      'each good row stored once, the copy included',
    );
    await writer.stop();
  },
);

t.test(
  'a retry waits until the server no longer runs the earlier attempt, then counts what it had stored',
  async (t) => {
    // The server still runs the first insert for three polls after the client gave up on it,
    // and that insert had stored its rows.
    const log: string[] = [];
    const stored: number[] = [];
    const queryIds: (string | undefined)[] = [];
    let runningPolls = 3;
    let inserts = 0;
    const clickhouse: ClickHouse = {
      database: 'test_db',
      driver: undefined as never,
      command: () => Promise.reject(new Error('unexpected command')),
      query: <Row>(query: string) => {
        if (!query.includes('system.processes')) return Promise.reject(new Error('unexpected query'));
        t.match(query, new RegExp(`query_id = '${queryIds[0] ?? 'none'}'`), 'asks for the batch query id');
        log.push('poll');
        const n = runningPolls > 0 ? 1 : 0;
        runningPolls -= 1;
        return Promise.resolve([{ n: String(n) }] as Row[]);
      },
      queryWithTable: () => Promise.reject(new Error('unexpected query')),
      stream: () => {
        throw new Error('unexpected stream');
      },
      insert(_table, rows, insertOptions) {
        queryIds.push(insertOptions?.queryId);
        log.push(`insert ${rows.length}`);
        inserts += 1;
        stored.push(...rows.map((row) => (row as { id: number }).id));
        return inserts === 1
          ? Promise.reject(
              new TransientError(ERROR_CODES.unavailable, 'clickhouse insert failed: Timeout error.'),
            )
          : Promise.resolve();
      },
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const deduplicate = (batch: readonly object[]) => {
      log.push('dedup');
      return Promise.resolve(batch.filter((row) => !stored.includes((row as { id: number }).id)));
    };
    const options = writerOptions({ maxRows: 3, deduplicate });
    const writer = createBatchWriter(clickhouse, options);
    await within(writer.write(rows(1, 2, 3)), 5000, 'write after a timed-out insert');
    t.same(
      log,
      ['dedup', 'insert 3', 'poll', 'poll', 'poll', 'poll', 'dedup', 'insert 0'],
      'the retry waited for the earlier insert to end before it deduplicated',
    );
    t.same(stored, [1, 2, 3], 'each row stored once');
    t.equal(queryIds.length, 2);
    t.ok(
      queryIds.every((id) => id !== undefined && id === queryIds[0]),
      'every attempt of the batch has one query id',
    );
    const metrics = await options.metrics.registry.metrics();
    t.match(
      metrics,
      /rec_test_clickhouse_rows_stored_by_failed_insert_total\{table="events"\} 3/,
      'the rows the failed insert had stored are counted (its views may miss them)',
    );
    await writer.stop();
  },
);

t.test(
  'a retry gives up waiting after the bound and tries again later, never inserting meanwhile',
  async (t) => {
    let polls = 0;
    let inserts = 0;
    const clickhouse: ClickHouse = {
      database: 'test_db',
      driver: undefined as never,
      command: () => Promise.reject(new Error('unexpected command')),
      query: <Row>() => {
        polls += 1;
        // Running for the first 12 polls: longer than one bounded wait.
        return Promise.resolve([{ n: polls <= 12 ? '1' : '0' }] as Row[]);
      },
      queryWithTable: () => Promise.reject(new Error('unexpected query')),
      stream: () => {
        throw new Error('unexpected stream');
      },
      insert() {
        inserts += 1;
        if (inserts === 1)
          return Promise.reject(new TransientError(ERROR_CODES.unavailable, 'socket hang up'));
        t.ok(polls > 12, 'the second insert comes only once the first has ended');
        return Promise.resolve();
      },
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const options = writerOptions({ maxRows: 1, settleTimeoutMs: 300 });
    const writer = createBatchWriter(clickhouse, options);
    await within(writer.write(rows(1)), 10_000, 'write after a long wait');
    t.equal(inserts, 2);
    const metrics = await options.metrics.registry.metrics();
    t.match(
      metrics,
      /rec_test_clickhouse_batches_total\{table="events",outcome="retried"\} [2-9]/,
      'the wait past its bound counts as a retried attempt',
    );
    await writer.stop();
  },
);
