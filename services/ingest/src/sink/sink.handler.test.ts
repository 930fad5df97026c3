import t from 'tap';
import type { BatchWriter } from '@recstream/clickhouse';
import { ERROR_CODES, PermanentError, TransientError } from '@recstream/errors';
import type { KafkaMessage } from '@recstream/kafka';
import { createSinkHandler } from './sink.handler.js';

const topics = { events: 'test_rec.events.v1', items: 'test_rec.items.v1', dlq: 'test_rec.events.dlq.v1' };
const now = new Date('2026-05-02T08:00:00.000Z');

function message(value: string | null, key: string | null = null, offset = 0): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: String(now.getTime()),
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

const item = (id: string) =>
  JSON.stringify({
    item_id: id,
    title: `Title ${id}`,
    category_path: ['Beauty', 'Lips'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: '2026-05-01T10:00:00.000Z',
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

t.test('the items topic writes item rows; a tombstone writes a deletion', async (t) => {
  const { handler, events, items } = setup();
  const results = await handler(
    [message(item('sku-1'), 'sku-1'), message(null, 'sku-2', 1), message('{"title":"no id"}', 'sku-3', 2)],
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
    version: Date.parse('2026-05-01T10:00:00.000Z'),
  });
  t.match(deletion, {
    item_id: 'sku-2',
    is_deleted: 1,
    version: now.getTime(),
    updated_at: '2026-05-02 08:00:00',
  });
  t.ok(
    (deletion as { version: number }).version > (upsert as { version: number }).version,
    'the deletion is a newer version than the earlier upsert, so it wins the merge',
  );
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
