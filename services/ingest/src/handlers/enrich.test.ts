import t from 'tap';
import type { ClickstreamEvent } from '@recstream/schemas';
import { correctedEventTime, enrichEvent } from './enrich.js';

const receivedAt = new Date('2026-05-01T12:00:00.000Z');
const skew = 5 * 60 * 1000;

t.test('correctedEventTime', (t) => {
  t.equal(correctedEventTime(undefined, receivedAt, skew), receivedAt, 'no client time: the receive time');
  t.equal(
    correctedEventTime('2026-05-01T11:00:00Z', receivedAt, skew).toISOString(),
    '2026-05-01T11:00:00.000Z',
    'a past time is kept',
  );
  t.equal(
    correctedEventTime('2025-01-01T00:00:00Z', receivedAt, skew).toISOString(),
    '2025-01-01T00:00:00.000Z',
    'however far back (late, offline clients)',
  );
  t.equal(
    correctedEventTime('2026-05-01T12:04:59Z', receivedAt, skew).toISOString(),
    '2026-05-01T12:04:59.000Z',
    'slightly ahead, within the allowed skew: kept',
  );
  t.equal(
    correctedEventTime('2026-05-01T12:05:00Z', receivedAt, skew).toISOString(),
    '2026-05-01T12:05:00.000Z',
    'exactly the allowed skew: kept',
  );
  t.equal(
    correctedEventTime('2026-05-01T12:05:00.001Z', receivedAt, skew),
    receivedAt,
    'one millisecond beyond: the receive time',
  );
  t.equal(
    correctedEventTime('2999-12-31T23:59:59Z', receivedAt, skew),
    receivedAt,
    'far future: the receive time',
  );
  t.equal(
    correctedEventTime('2026-05-01T14:00:00+02:00', receivedAt, skew).toISOString(),
    '2026-05-01T12:00:00.000Z',
    'offsets are honoured',
  );
  t.equal(correctedEventTime('not a date', receivedAt, skew), receivedAt, 'unreadable: the receive time');
  t.equal(
    correctedEventTime('2026-05-01T12:00:01Z', receivedAt, 0).toISOString(),
    receivedAt.toISOString(),
    'zero skew allowed: any future time is replaced',
  );
  t.end();
});

t.test('enrichEvent adds the server fields and keeps the event', (t) => {
  const event: ClickstreamEvent = {
    type: 'view',
    event_id: 'e1',
    user_id: 'u1',
    item_id: 'sku-1',
    timestamp: '2026-05-01T11:59:00+00:00',
  };
  const enriched = enrichEvent(event, { receivedAt, source: 'shop-a', maxFutureSkewMs: skew });
  t.same(enriched, {
    ...event,
    schema_version: 1,
    received_at: '2026-05-01T12:00:00.000Z',
    event_time: '2026-05-01T11:59:00.000Z',
    source: 'shop-a',
  });
  t.equal(enriched.timestamp, event.timestamp, 'the client time is kept as sent');
  const future = enrichEvent(
    { ...event, timestamp: '2030-01-01T00:00:00Z' },
    { receivedAt, source: 's', maxFutureSkewMs: skew },
  );
  t.equal(future.event_time, receivedAt.toISOString(), 'a clock far ahead is corrected');
  t.equal(future.timestamp, '2030-01-01T00:00:00Z', 'but what the client said is not rewritten');
  const { timestamp: _ts, ...untimed } = event;
  t.equal(
    enrichEvent(untimed, { receivedAt, source: 's', maxFutureSkewMs: skew }).event_time,
    receivedAt.toISOString(),
  );
  t.end();
});
