import t from 'tap';
import { RefusedRowsError, type BatchWriter } from '@recstream/clickhouse';
import { ERROR_CODES, PermanentError, TransientError } from '@recstream/errors';
import type { KafkaMessage } from '@recstream/kafka';
import { createSinkHandler } from './sink.handler.js';

const topics = { events: 'test_rec.events.v1', items: 'test_rec.items.v1', dlq: 'test_rec.events.dlq.v1' };
const now = new Date('2026-05-02T08:00:00.000Z');

function message(
  value: string | null,
  key: string | null = null,
  offset = 0,
  timestamp = now.getTime(),
): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: String(timestamp),
    attributes: 0,
    offset: String(offset),
    headers: {},
  };
}

/** A BatchWriter that records the rows and answers each write as the test says. */
function fakeWriter(behaviour: (rows: readonly object[]) => Promise<void> = () => Promise.resolve()) {
  const writes: (readonly object[])[] = [];
  const writer: BatchWriter = {
    write(rows) {
      writes.push(rows);
      return behaviour(rows);
    },
    flush: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    bufferedRows: 0,
  };
  return { writer, writes };
}

const event = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'view',
    event_id: id,
    user_id: 'u1',
    item_id: 'sku-1',
    schema_version: 1,
    received_at: '2026-05-01T12:00:00.000Z',
    event_time: '2026-05-01T11:59:00.000Z',
    source: 'default',
    ...extra,
  });

const item = (id: string, updatedAt = '2026-05-01T10:00:00.000Z') =>
  JSON.stringify({
    item_id: id,
    title: `Title ${id}`,
    category_path: ['Beauty', 'Lips'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: updatedAt,
  });

function setup(events = fakeWriter(), items = fakeWriter(), failed = fakeWriter()) {
  return {
    events,
    items,
    failed,
    handler: createSinkHandler({
      topics,
      eventsWriter: events.writer,
      itemsWriter: items.writer,
      failedWriter: failed.writer,
      now: () => now.getTime(),
    }),
  };
}

t.test('events become rows and are ok only once the write resolved', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { handler, events, items } = setup(fakeWriter(() => gate));
  let done = false;
  const pending = handler([message(event('e1'), 'u1'), message(event('e2'), 'u1', 1)], {
    topic: topics.events,
    partition: 0,
  }).then((r) => {
    done = true;
    return r;
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(done, 'no result while the rows are not durable');
  release();
  const results = await pending;
  t.same(results, [{ kind: 'ok' }, { kind: 'ok' }]);
  t.equal(events.writes.length, 1, 'one write for the whole batch');
  t.match(events.writes[0], [
    { event_id: 'e1', type: 'view', item_id: 'sku-1', event_time: '2026-05-01 11:59:00' },
    { event_id: 'e2' },
  ]);
  t.equal(items.writes.length, 0, 'the items writer is not touched');
});

t.test('undecodable messages go to the DLQ, the rest are written', async (t) => {
  const { handler, events } = setup();
  const results = await handler(
    [
      message(event('e1')),
      message('{not json'),
      message(JSON.stringify({ type: 'view', event_id: 'e3' })),
      message(JSON.stringify([1, 2])),
      message(null),
      message(event('e6')),
    ],
    { topic: topics.events, partition: 0 },
  );
  t.match(results, [
    { kind: 'ok' },
    { kind: 'dlq', step: 'sink', code: ERROR_CODES.invalidInput, reason: /undecodable event/ },
    { kind: 'dlq', step: 'sink', code: ERROR_CODES.invalidInput, reason: /event_id or event_time missing/ },
    { kind: 'dlq', code: ERROR_CODES.invalidInput },
    { kind: 'dlq', code: ERROR_CODES.invalidInput },
    { kind: 'ok' },
  ]);
  t.same(
    events.writes[0]?.map((row) => (row as { event_id: string }).event_id),
    ['e1', 'e6'],
    'only the decodable rows are written',
  );
});

t.test('a transient write failure asks for a retry of every written message', async (t) => {
  const failure = new TransientError(ERROR_CODES.unavailable, 'clickhouse insert failed: ECONNREFUSED');
  const { handler } = setup(fakeWriter(() => Promise.reject(failure)));
  const results = await handler([message(event('e1')), message('garbage'), message(event('e3'))], {
    topic: topics.events,
    partition: 0,
  });
  t.same(results[0], { kind: 'retry', error: failure });
  t.equal(results[1]?.kind, 'dlq', 'an undecodable message stays a DLQ case: retrying cannot fix it');
  t.same(results[2], { kind: 'retry', error: failure });
});

t.test('a permanent write failure parks the batch in the DLQ instead of acknowledging it', async (t) => {
  const failure = new PermanentError(ERROR_CODES.internal, 'clickhouse insert failed: Cannot parse input');
  const { handler } = setup(fakeWriter(() => Promise.reject(failure)));
  const results = await handler([message(event('e1')), message(event('e2'))], {
    topic: topics.events,
    partition: 0,
  });
  t.match(results, [
    {
      kind: 'dlq',
      step: 'sink',
      code: ERROR_CODES.internal,
      reason: /clickhouse refused the batch: .*Cannot parse input/,
    },
    { kind: 'dlq', step: 'sink', code: ERROR_CODES.internal },
  ]);
  t.notOk(
    results.some((r) => r.kind === 'ok'),
    'nothing acknowledged as written',
  );
});

t.test('the items topic writes item rows versioned by the time the topic received them', async (t) => {
  const { handler, events, items } = setup();
  const upsertAt = now.getTime() - 60_000;
  const results = await handler(
    [
      // A feed clock in 2100 cannot make the upsert outrank the deletion received after it.
      message(item('sku-1', '2100-01-01T00:00:00.000Z'), 'sku-1', 0, upsertAt),
      message(null, 'sku-1', 1, now.getTime() - 1000),
      message('{"title":"no id"}', 'sku-3', 2),
    ],
    { topic: topics.items, partition: 0 },
  );
  t.match(results, [
    { kind: 'ok' },
    { kind: 'ok' },
    { kind: 'dlq', code: ERROR_CODES.invalidInput, reason: /item_id or updated_at missing/ },
  ]);
  t.equal(events.writes.length, 0, 'nothing goes to the events table');
  const [upsert, deletion] = items.writes[0] ?? [];
  t.match(upsert, {
    item_id: 'sku-1',
    title: 'Title sku-1',
    category: 'Lips',
    is_deleted: 0,
    updated_at: '2100-01-01 00:00:00',
    version: upsertAt,
  });
  t.match(deletion, {
    item_id: 'sku-1',
    is_deleted: 1,
    version: now.getTime() - 1000,
    updated_at: '2026-05-02 07:59:59',
  });
  t.ok(
    (deletion as { version: number }).version > (upsert as { version: number }).version,
    'the deletion is a newer version than the earlier upsert, so it wins the merge',
  );
});

t.test('an item version is capped at the sink clock plus the skew, and never negative', async (t) => {
  const { handler, items } = setup();
  await handler(
    [
      message(item('sku-1'), 'sku-1', 0, Date.parse('2100-01-01T00:00:00.000Z')),
      message(null, 'sku-2', 1, -1),
    ],
    { topic: topics.items, partition: 0 },
  );
  t.match(items.writes[0], [
    { item_id: 'sku-1', version: now.getTime() + 5 * 60 * 1000 },
    { item_id: 'sku-2', version: now.getTime(), is_deleted: 1 },
  ]);
});

t.test('a row that cannot fit its table is parked alone, with the column and the reason', async (t) => {
  const { handler, events, items } = setup();
  const results = await handler(
    [
      message(event('e1'), 'u1'),
      // 1e21 is written 1e+21, which an Int32 cannot read: the whole insert would be refused.
      message(event('e2', { type: 'search', query: 'q', results_count: 1e21 }), 'u1', 1),
      message(event('e3', { event_time: '2200-01-01T00:00:00.000Z' }), 'u1', 2),
      message(event('e4', { type: 'search', query: 'lip\ud800stick', results_count: 2 }), 'u1', 3),
      message(event('e5', { item_id: 42 }), 'u1', 4),
    ],
    { topic: topics.events, partition: 0 },
  );
  t.match(results, [
    { kind: 'ok' },
    {
      kind: 'dlq',
      step: 'sink',
      code: ERROR_CODES.invalidInput,
      reason: 'row does not fit the events table: results_count 1e+21 does not fit Int32',
    },
    { kind: 'dlq', reason: /event_time "2200-01-01 00:00:00" is outside the DateTime range/ },
    { kind: 'ok' },
    { kind: 'dlq', reason: /item_id 42 is not a string/ },
  ]);
  t.match(
    events.writes[0],
    [{ event_id: 'e1' }, { event_id: 'e4', query: 'lip\ufffdstick' }],
    'the others are written; a lone surrogate becomes U+FFFD',
  );

  await handler(
    [message(item('sku-old', '1960-01-01T00:00:00.000Z'), 'sku-old'), message(item('sku-1'), 'sku-1', 1)],
    {
      topic: topics.items,
      partition: 0,
    },
  );
  t.match(items.writes[0], [{ item_id: 'sku-1' }], 'an item from 1960 is not written');
});

t.test('rows ClickHouse refuses are parked alone; the rest of the batch is ok', async (t) => {
  const { handler } = setup(
    fakeWriter(() =>
      Promise.reject(
        new RefusedRowsError(
          'events',
          new Map([
            [1, new PermanentError(ERROR_CODES.internal, 'clickhouse insert failed: Cannot parse input')],
          ]),
          3,
        ),
      ),
    ),
  );
  const results = await handler(
    [
      message(event('e1')),
      message('garbage', null, 1),
      message(event('e3'), null, 2),
      message(event('e4'), null, 3),
    ],
    { topic: topics.events, partition: 0 },
  );
  t.match(results, [
    { kind: 'ok' },
    { kind: 'dlq', reason: /undecodable event/ },
    {
      kind: 'dlq',
      step: 'sink',
      code: ERROR_CODES.internal,
      reason: /^clickhouse refused the row: .*Cannot parse input/,
    },
    { kind: 'ok' },
  ]);
});

t.test('parked messages become failed_events rows; a refused row is never parked again', async (t) => {
  const parked = message('{"event_id":"e9","type":"view"', null, 0);
  parked.headers = {
    'rec-dlq-reason': '/ not valid JSON',
    'rec-dlq-step': 'validate',
    'rec-dlq-code': ERROR_CODES.invalidInput,
    'rec-dlq-source': 'http:/v1/events',
    'rec-dlq-at': '2026-05-02T07:30:00.000Z',
  };
  const withId = message(event('e10'), null, 1);
  withId.headers = parked.headers;
  const { handler, failed } = setup();
  t.match(await handler([parked, withId], { topic: topics.dlq, partition: 0 }), [
    { kind: 'ok' },
    { kind: 'ok' },
  ]);
  t.match(failed.writes[0], [
    {
      failed_at: '2026-05-02 07:30:00',
      failed_date: '2026-05-02',
      source: 'http:/v1/events',
      step: 'validate',
      reason: '/ not valid JSON',
      error_code: ERROR_CODES.invalidInput,
      event_id: '',
      payload: '{"event_id":"e9","type":"view"',
      dlq_position: `${topics.dlq}/0/${parked.offset}`,
    },
    { event_id: 'e10' },
  ]);

  const refusing = setup(
    fakeWriter(),
    fakeWriter(),
    fakeWriter(() => Promise.reject(new PermanentError(ERROR_CODES.internal, 'bad row'))),
  );
  t.match(await refusing.handler([parked], { topic: topics.dlq, partition: 0 }), [
    { kind: 'drop', reason: /clickhouse refused the batch/ },
  ]);
});
