/**
 * The sink as a real process against the real Kafka and ClickHouse, fed straight through Kafka (as
 * a producer that bypasses the collector could): one batch holds many shoppers' good events and
 * items beside a few rows ClickHouse 18.16 cannot store as they are (an Int32 written as `1e+21`,
 * a DateTime past its range, an item updated before 1970). Only those rows are parked, each with
 * its reason; every other row is stored exactly once, in the base tables and in the rollups.
 * The batch writer alone, given a row the column checks would have stopped, splits the refused
 * insert against the real ClickHouse until that row stands alone.
 */
import t from 'tap';
import { RefusedRowsError } from '@recstream/clickhouse';
import {
  EVENT_COLUMNS,
  FAILED_EVENT_COLUMNS,
  ITEM_COLUMNS,
  createSinkWriters,
  toEventRow,
} from '@recstream/ingest/sink';
import { createMetrics } from '@recstream/metrics';
import { eventPartitionKey, type EnrichedEvent } from '@recstream/schemas';
import {
  createTestDatabase,
  dropTestDatabase,
  startService,
  testLogger,
  testNamespace,
  testTopics,
  waitFor,
} from '@recstream/testing';
import { namespaceFixture } from '../support/namespace-fixture.js';

const ns = testNamespace('sinkpoison');
const topics = testTopics(ns);

const server = {
  schema_version: 1,
  received_at: '2026-05-01T10:00:01.000Z',
  event_time: '2026-05-01T10:00:00.000Z',
  source: 'shop-a',
} as const;

function view(i: number): EnrichedEvent {
  return { ...server, type: 'view', event_id: `v-${i}`, user_id: `u${i}`, item_id: `sku-${i % 10}` };
}

function item(id: string, updatedAt = '2026-05-01T08:00:00.000Z') {
  return {
    item_id: id,
    title: `Title ${id}`,
    category_path: ['Beauty', 'Lips'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: updatedAt,
  };
}

const GOOD_VIEWS = 300;

t.test('one bad row in a sink batch parks that row alone', async (t) => {
  const { clickhouse, producer, services } = await namespaceFixture(t, ns);

  const attacker = { ...server, user_id: 'mallory' };
  // JSON.stringify(1e21) is '1e+21', which ClickHouse 18.16 cannot read as an Int32.
  const poisonSearch = JSON.stringify({
    ...attacker,
    type: 'search',
    event_id: 'bad-count',
    query: 'lipstick',
    results_count: 1e21,
  });
  const beside = { ...attacker, type: 'search', event_id: 'ok-search', query: 'lip balm', results_count: 3 };
  const farFuture = { ...attacker, type: 'view', event_id: 'bad-time', item_id: 'sku-1' };
  const loneSurrogate = { ...attacker, type: 'search', event_id: 'odd-query', query: 'lip\ud800stick' };
  await producer.send(topics.events, [
    ...Array.from({ length: GOOD_VIEWS }, (_, i) => view(i)).map((event) => ({
      key: eventPartitionKey(event),
      value: JSON.stringify(event),
    })),
    { key: 'mallory', value: poisonSearch },
    { key: 'mallory', value: JSON.stringify(beside) },
    {
      key: 'mallory',
      value: JSON.stringify({ ...farFuture, event_time: '2200-01-01T00:00:00.000Z' }),
    },
    { key: 'mallory', value: JSON.stringify(loneSurrogate) },
  ]);
  await producer.send(topics.items, [
    ...Array.from({ length: 20 }, (_, i) => ({ key: `sku-${i}`, value: JSON.stringify(item(`sku-${i}`)) })),
    { key: 'sku-old', value: JSON.stringify(item('sku-old', '1960-01-01T00:00:00.000Z')) },
    { key: 'sku-5', value: null },
  ]);

  // Everything is in Kafka before the sink starts, so its first fetch puts it all in one insert.
  const sink = await startService({
    service: 'ingest',
    env: { ...ns.env, REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '1000' },
  });
  services.push(sink);

  const count = async (query: string) => Number((await clickhouse.query<{ n: string }>(query))[0]?.n);
  await waitFor(
    'the good events and the parked rows stored',
    async () =>
      (await count('SELECT count() AS n FROM failed_events')) >= 3 &&
      (await count('SELECT count() AS n FROM events')) >= GOOD_VIEWS
        ? true
        : undefined,
    { timeoutMs: 60_000 },
  ).catch(() => undefined);
  // Let anything still in flight land, so duplicates and extra parks would show.
  await new Promise((resolve) => setTimeout(resolve, 3000));

  const parked = await clickhouse.query<{ event_id: string; step: string; reason: string; payload: string }>(
    'SELECT event_id, step, reason, payload FROM failed_events ORDER BY event_id, payload',
  );
  t.equal(parked.length, 3, `only the three bad rows are parked (parked: ${parked.length})`);
  const reasonOf = (pick: (row: (typeof parked)[number]) => boolean) => parked.find(pick)?.reason ?? '';
  t.match(
    reasonOf((row) => row.event_id === 'bad-count'),
    /results_count/,
    'the 1e21 count, with its reason',
  );
  t.match(
    reasonOf((row) => row.event_id === 'bad-time'),
    /event_time/,
    'the year-2200 event, with its reason',
  );
  t.match(
    reasonOf((row) => row.payload.includes('sku-old')),
    /updated_at/,
    'the item updated in 1960, with its reason',
  );
  t.ok(
    parked.every((row) => row.step === 'sink'),
    'parked by the sink',
  );

  const [stored] = await clickhouse.query<{ rows: string; distinct: string }>(
    'SELECT count() AS rows, uniqExact(event_id) AS distinct FROM events',
  );
  t.same(
    stored,
    { rows: String(GOOD_VIEWS + 2), distinct: String(GOOD_VIEWS + 2) },
    'every good event of every shopper stored once, the one beside the bad row included',
  );
  t.equal(
    await count("SELECT count() AS n FROM events WHERE event_id = 'ok-search'"),
    1,
    'the valid event sent beside the bad one is stored',
  );
  const [odd] = await clickhouse.query<{ query: string }>(
    "SELECT query FROM events WHERE event_id = 'odd-query'",
  );
  t.equal(odd?.query, 'lip\ufffdstick', 'a lone surrogate is stored as U+FFFD, not refused');
  t.equal(
    await count('SELECT sum(views) AS n FROM daily_item_stats'),
    GOOD_VIEWS,
    'the rollup counts each good view once',
  );

  const items = await clickhouse.query<{ item_id: string; is_deleted: number }>(
    'SELECT item_id, is_deleted FROM items FINAL ORDER BY item_id',
  );
  t.equal(items.length, 20, 'the twenty good items are stored, the 1960 one is not');
  t.same(
    items.filter((row) => Number(row.is_deleted) === 1).map((row) => row.item_id),
    ['sku-5'],
    'the deletion sent in the same batch is applied',
  );
});

t.test(
  'the events writer isolates a row the real ClickHouse refuses, and stores the rest once',
  async (t) => {
    const writerNs = testNamespace('sinkbisect');
    const clickhouse = await createTestDatabase(writerNs);
    const writers = createSinkWriters(clickhouse, {
      maxRows: 100_000,
      maxDelayMs: 200,
      maxBufferedRows: 100_000,
      logger: testLogger(),
      metrics: createMetrics('ingest', { defaultMetrics: false }),
    });
    t.teardown(async () => {
      await Promise.all([
        writers.eventsWriter.stop(),
        writers.itemsWriter.stop(),
        writers.failedWriter.stop(),
      ]);
      await clickhouse.close();
      await dropTestDatabase(writerNs);
    });
    // The column types the sink checks rows against are those of the migrated tables.
    for (const [table, columns] of Object.entries({
      events: EVENT_COLUMNS,
      items: ITEM_COLUMNS,
      failed_events: FAILED_EVENT_COLUMNS,
    })) {
      const described = await clickhouse.query<{ name: string; type: string }>(
        `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '${table}'`,
      );
      t.same(
        Object.fromEntries(described.map((column) => [column.name, column.type.replace("('UTC')", '')])),
        columns,
        `the ${table} columns the sink checks match the migrations`,
      );
    }

    // Three partitions' writes, merged into one insert; the second holds the poison row at index 123.
    const partitions = [0, 1, 2].map((p) =>
      Array.from({ length: 1000 }, (_, i) =>
        toEventRow(view(p * 1000 + i), { partition: p, offset: String(i) }),
      ),
    );
    const poisoned = partitions[1] ?? [];
    poisoned[123] = { ...poisoned[123]!, type: 'search', item_id: '', results_count: 1e21 };
    const outcomes = await Promise.allSettled(partitions.map((rows) => writers.eventsWriter.write(rows)));
    t.same(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
      'only the write holding the poison row is rejected',
    );
    const refusal = outcomes[1]?.status === 'rejected' ? (outcomes[1].reason as unknown) : undefined;
    t.type(refusal, RefusedRowsError);
    t.same([...(refusal as RefusedRowsError).refused.keys()], [123], 'naming that row alone');
    t.match(
      String((refusal as RefusedRowsError).refused.get(123)),
      /Cannot parse input/,
      "with ClickHouse's own reason",
    );
    const counts = async () => {
      const [row] = await clickhouse.query<{ rows: string; distinct: string; views: string }>(
        `SELECT count() AS rows, uniqExact(event_id) AS distinct,
              (SELECT sum(views) FROM daily_item_stats) AS views FROM events`,
      );
      return row;
    };
    t.same(
      await counts(),
      { rows: '2999', distinct: '2999', views: '2999' },
      'every other row once, views included',
    );

    // Kafka delivers the same messages again (no offset was committed for the refused write).
    await Promise.allSettled(partitions.map((rows) => writers.eventsWriter.write(rows)));
    t.same(await counts(), { rows: '2999', distinct: '2999', views: '2999' }, 'a redelivery adds nothing');
  },
);
