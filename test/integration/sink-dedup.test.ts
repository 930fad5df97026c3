/**
 * Against the real ClickHouse: the sink's writers store each event and each parked failure once,
 * however often Kafka delivers it — within one batch, in a redelivered batch after a crash, and in
 * the analyst rollups that materialized views compute on insert.
 */
import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createSinkWriters, toEventRow } from '@recstream/ingest/sink';
import { sql } from '@recstream/clickhouse';
import type { EnrichedEvent } from '@recstream/schemas';
import { createTestDatabase, dropTestDatabase, testNamespace } from '@recstream/testing';

const ns = testNamespace('sinkdedup');

function view(eventId: string, itemId: string, eventTime = '2026-05-01T10:00:00.000Z'): EnrichedEvent {
  return {
    type: 'view',
    event_id: eventId,
    user_id: 'u1',
    item_id: itemId,
    schema_version: 1,
    received_at: '2026-05-01T10:00:01.000Z',
    event_time: eventTime,
    source: 'test',
  };
}

function failedRow(position: string) {
  return {
    failed_at: '2026-05-01 10:00:00',
    source: 'http:/v1/events',
    step: 'validate',
    reason: '/type unknown event type',
    error_code: 'REC_ERR_INVALID_INPUT',
    event_id: '',
    payload: '{"type":"teleport"}',
    dlq_position: position,
    failed_date: '2026-05-01',
  };
}

t.test('the sink writers deduplicate against the real ClickHouse', async (t) => {
  const clickhouse = await createTestDatabase(ns);
  const writers = createSinkWriters(clickhouse, {
    maxRows: 1000,
    maxDelayMs: 20,
    maxBufferedRows: 10_000,
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('ingest'),
  });
  t.teardown(async () => {
    await Promise.all([writers.eventsWriter.stop(), writers.failedWriter.stop(), writers.itemsWriter.stop()]);
    await clickhouse.close();
    await dropTestDatabase(ns);
  });
  const countEvents = async () =>
    (await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events'))[0]?.n;
  const itemViews = async () =>
    (
      await clickhouse.query<{ item_id: string; views: string }>(
        'SELECT item_id, sum(views) AS views FROM daily_item_stats GROUP BY item_id ORDER BY item_id',
      )
    ).map((row) => [row.item_id, Number(row.views)]);

  // One batch holding a copy of e1: a client retry that reached Kafka twice.
  await writers.eventsWriter.write(
    [view('e1', 'sku-a'), view('e2', 'sku-a'), view('e1', 'sku-a'), view('e3', 'sku-b')].map((event) =>
      toEventRow(event),
    ),
  );
  t.equal(await countEvents(), '3', 'a repeat within the batch is stored once');

  // The same messages again (redelivered after a crash before the offset commit), plus new ones.
  await writers.eventsWriter.write(
    [view('e1', 'sku-a'), view('e2', 'sku-a'), view('e3', 'sku-b'), view('e4', 'sku-b')].map((event) =>
      toEventRow(event),
    ),
  );
  t.equal(await countEvents(), '4', 'the redelivered batch adds only the new event');
  t.same(
    await itemViews(),
    [
      ['sku-a', 2],
      ['sku-b', 2],
    ],
    'the rollup view counts each event once',
  );

  // A client retry re-stamped after midnight (no client timestamp): still the same event.
  await writers.eventsWriter.write([toEventRow(view('e4', 'sku-b', '2026-05-02T00:00:03.000Z'))]);
  t.equal(await countEvents(), '4', 'a copy dated the next day is recognised');

  // Ids with quotes and SQL in them dedup like any other.
  const hostile = "x'); DROP TABLE events; --";
  await writers.eventsWriter.write([toEventRow(view(hostile, 'sku-c'))]);
  await writers.eventsWriter.write([toEventRow(view(hostile, 'sku-c'))]);
  const stored = await clickhouse.query<{ n: string }>(
    sql`SELECT count() AS n FROM events WHERE event_id = ${hostile}`,
  );
  t.equal(stored[0]?.n, '1', 'a hostile id is stored once and the table survives');

  // Parked failures dedup by their DLQ position.
  await writers.failedWriter.write([failedRow('dlq/0/7'), failedRow('dlq/0/8')]);
  await writers.failedWriter.write([failedRow('dlq/0/7'), failedRow('dlq/0/8'), failedRow('dlq/1/7')]);
  const failed = await clickhouse.query<{ dlq_position: string }>(
    'SELECT dlq_position FROM failed_events ORDER BY dlq_position',
  );
  t.same(
    failed.map((row) => row.dlq_position),
    ['dlq/0/7', 'dlq/0/8', 'dlq/1/7'],
    'a redelivered parked message is stored once',
  );
});
