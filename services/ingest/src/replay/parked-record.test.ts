import t from 'tap';
import { DLQ_HEADERS } from '@recstream/schemas';
import type { KafkaMessage } from '@recstream/kafka';
import { toFailedRow } from '../writers/failed-row.js';
import { parkedRecord } from './parked-record.js';

const itemsTopic = 'test_x.rec.items.v1';

function parked(value: string | null, key: string | null, headers: Record<string, string>): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: String(Date.parse('2026-05-02T08:00:00.000Z')),
    attributes: 0,
    offset: '3',
    headers,
  };
}

const sinkHeaders = (source: string, at = '2026-05-02T07:00:00.000Z') => ({
  [DLQ_HEADERS.step]: 'sink',
  [DLQ_HEADERS.source]: source,
  [DLQ_HEADERS.reason]: 'clickhouse refused the batch',
  [DLQ_HEADERS.at]: at,
});

t.test('an item deletion parked by the sink is stored so that a replay deletes the item again', (t) => {
  const row = toFailedRow(parked(null, 'sku-1', sinkHeaders(`${itemsTopic}/0/9`)), 'dlq/0/3');
  t.equal(row.payload, '{"deleted_item_id":"sku-1"}', 'not an empty payload');
  t.same(parkedRecord(row), { kind: 'deletion', itemId: 'sku-1' });

  const eventsNull = toFailedRow(parked(null, 'u1', sinkHeaders('test_x.rec.events.v1/0/9')), 'dlq/0/4');
  t.equal(eventsNull.payload, '', 'a null value on the events topic is no deletion');
  t.equal(parkedRecord(eventsNull).kind, 'unreadable');

  const fromClient = { ...row, step: 'validate', source: 'http:/v1/items' };
  t.equal(
    parkedRecord(fromClient).kind,
    'item',
    'a client record shaped like one is an item, refused as such',
  );
  t.end();
});

t.test('a sink failure keeps its source and its event time when replayed', (t) => {
  const payload = JSON.stringify({
    type: 'view',
    event_id: 'e1',
    user_id: 'u1',
    item_id: 'a',
    schema_version: 1,
    received_at: '2026-05-01T10:00:01.000Z',
    event_time: '2026-05-01T10:00:00.000Z',
    source: 'web',
    device: { browser: 'x' },
  });
  const row = {
    failed_at: '',
    source: 'test_x.rec.events.v1/0/1',
    step: 'sink',
    reason: '',
    payload,
    dlq_position: '',
  };
  t.same(parkedRecord(row), {
    kind: 'event',
    value: {
      type: 'view',
      event_id: 'e1',
      user_id: 'u1',
      item_id: 'a',
      timestamp: '2026-05-01T10:00:00.000Z',
    },
    source: 'web',
  });
  const refusedAtIntake = { ...row, step: 'validate', source: 'http:/v1/events' };
  t.notOk('source' in parkedRecord(refusedAtIntake), 'an intake refusal has no trusted source to keep');
  t.end();
});

t.test('failed_at falls back to the DLQ timestamp when the header is outside the DateTime range', (t) => {
  const row = toFailedRow(parked('x', null, sinkHeaders('s', '2200-01-01T00:00:00.000Z')), 'dlq/0/5');
  t.equal(row.failed_at, '2026-05-02 08:00:00');
  t.equal(row.failed_date, '2026-05-02');
  t.end();
});
