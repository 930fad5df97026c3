/**
 * Against the real ClickHouse: an insert the client gave up on keeps running on the server (18.16
 * does not cancel an INSERT whose HTTP client went away, and `max_execution_time` does not bound
 * it). The sink's retry must not insert the same rows beside it: it waits until the server no
 * longer runs the earlier attempt, then asks which rows are stored. Otherwise `events` and every
 * materialized view count the batch twice.
 *
 * A MATERIALIZED column that sleeps per row makes the test database's base insert slow (the base
 * part is written only after it is computed), and the client's timeout is far shorter.
 */
import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createBatchWriter, createClickHouse, createRowDeduplicator } from '@recstream/clickhouse';
import { createTestDatabase, dropTestDatabase, infra, testNamespace } from '@recstream/testing';

const ns = testNamespace('sinkretry');

/** An `events` row as the sink writes it (the columns left out take their defaults). */
function view(eventId: string, itemId: string) {
  return {
    event_id: eventId,
    type: 'view',
    user_id: 'u1',
    session_id: 's1',
    item_id: itemId,
    source: 'test',
    event_time: '2026-05-01 10:00:00',
    received_at: '2026-05-01 10:00:01',
    event_date: '2026-05-01',
  };
}

t.test('a retry after a client timeout does not insert the rows a second time', async (t) => {
  const admin = await createTestDatabase(ns);
  // 6 rows × 0.25 s: the server needs 1.5 s before the base part exists (sleepEachRow caps at 3 s).
  await admin.command('ALTER TABLE events ADD COLUMN slow_insert UInt8 MATERIALIZED sleepEachRow(0.25)');
  const impatient = createClickHouse({
    url: infra.clickhouseUrl,
    username: infra.clickhouseUser,
    password: infra.clickhousePassword,
    database: ns.database,
    requestTimeoutMs: 400,
  });
  const metrics = createMetrics('ingest');
  // The sink's events writer (services/ingest/src/sink/sink.writers.ts).
  const writer = createBatchWriter(impatient, {
    table: 'events',
    maxRows: 1000,
    maxDelayMs: 10,
    maxBufferedRows: 10_000,
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics,
    deduplicate: createRowDeduplicator(impatient, {
      table: 'events',
      idColumn: 'event_id',
      dateColumn: 'event_date',
      dateSlackDays: 1,
    }),
  });
  t.teardown(async () => {
    await writer.stop();
    await impatient.close();
    await admin.close();
    await dropTestDatabase(ns);
  });

  await writer.write(['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map((id, index) => view(id, `sku-${index % 2}`)));

  const [stored] = await admin.query<{ rows: string; ids: string }>(
    'SELECT count() AS rows, uniqExact(event_id) AS ids FROM events',
  );
  t.same(stored, { rows: '6', ids: '6' }, 'each event is stored once');
  const [stats] = await admin.query<{ views: string }>('SELECT sum(views) AS views FROM daily_item_stats');
  t.equal(stats?.views, '6', 'the item rollup counts each view once');
  const [session] = await admin.query<{ events: string }>(
    "SELECT events FROM sessions WHERE session_id = 's1'",
  );
  t.equal(session?.events, '6', 'the session rollup counts each event once');
  const text = await metrics.registry.getSingleMetricAsString('rec_ingest_clickhouse_batches_total');
  t.match(
    text,
    /outcome="retried"[^\n]* [1-9]/,
    'the client did time out and retry (the test provoked the case)',
  );
});
