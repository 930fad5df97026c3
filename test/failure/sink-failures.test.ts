/**
 * The ClickHouse sink under failure, as real processes against the real Kafka and ClickHouse:
 * - ClickHouse goes away while the sink runs: the sink waits (readiness red), resumes when it is
 *   back, and loses nothing;
 * - the sink is SIGKILLed mid-batch and restarted: nothing lost, nothing doubled — in the events
 *   table and in the analyst rollups the materialized views compute on insert;
 * - the whole topic is delivered again (offsets reset): every row is recognised and skipped.
 */
import t, { type Test } from 'tap';
import type { ProducerHandle } from '@recstream/kafka';
import type { EnrichedEvent } from '@recstream/schemas';
import type { ClickHouse } from '@recstream/clickhouse';
import {
  connectTestKafka,
  createTestDatabase,
  createTestTopics,
  deleteTestTopics,
  dropTestDatabase,
  infra,
  type RunningService,
  startService,
  startTcpProxy,
  testNamespace,
  type TestNamespace,
  testTopics,
  waitFor,
} from '@recstream/testing';
import { produceEvents } from '../support/produce-events.js';

function view(i: number, prefix: string): EnrichedEvent {
  return {
    type: 'view',
    event_id: `${prefix}-${i}`,
    user_id: `u${i % 500}`,
    item_id: `sku-${i % 50}`,
    schema_version: 1,
    received_at: '2026-05-01T10:00:01.000Z',
    event_time: '2026-05-01T10:00:00.000Z',
    source: 'test',
  };
}

function produceViews(producer: ProducerHandle, topic: string, from: number, to: number, prefix: string) {
  return produceEvents(producer, topic, from, to, (i) => view(i, prefix));
}

interface Counts {
  rows: number;
  distinct: number;
  rolledUpViews: number;
}

async function counts(clickhouse: ClickHouse): Promise<Counts> {
  const [stored] = await clickhouse.query<{ rows: string; distinct: string }>(
    'SELECT count() AS rows, uniqExact(event_id) AS distinct FROM events',
  );
  const [rollup] = await clickhouse.query<{ views: string }>(
    'SELECT sum(views) AS views FROM daily_item_stats',
  );
  return {
    rows: Number(stored?.rows ?? 0),
    distinct: Number(stored?.distinct ?? 0),
    rolledUpViews: Number(rollup?.views ?? 0),
  };
}

async function setup(t: Test, label: string) {
  const ns: TestNamespace = testNamespace(label);
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const { kafka, producer } = await connectTestKafka(ns, { timeoutMs: 20_000 });
  const services: RunningService[] = [];
  t.teardown(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await producer.disconnect();
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
  });
  const startSink = async (env: Record<string, string> = {}) => {
    const sink = await startService({
      service: 'ingest',
      env: { ...ns.env, REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '100', ...env },
    });
    services.push(sink);
    return sink;
  };
  return { ns, kafka, clickhouse, producer, startSink, eventsTopic: testTopics(ns).events };
}

t.test('ClickHouse down while the sink runs: it waits, resumes, loses nothing', async (t) => {
  const { clickhouse, producer, startSink, eventsTopic } = await setup(t, 'chdown');
  const target = new URL(infra.clickhouseUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  t.teardown(() => proxy.close());
  const sink = await startSink({ REC_CLICKHOUSE_URL: `http://127.0.0.1:${proxy.port}` });

  await produceViews(producer, eventsTopic, 0, 1000, 'ch');
  await waitFor('the first 1000 events stored', async () =>
    (await counts(clickhouse)).rows === 1000 ? true : undefined,
  );

  proxy.cut();
  await produceViews(producer, eventsTopic, 1000, 2000, 'ch');
  const readiness = await waitFor('readiness to go red', async () => {
    const response = await fetch(`${sink.url}/readyz`);
    return response.status === 503 ? response.status : undefined;
  });
  t.equal(readiness, 503, '/readyz reports ClickHouse unreachable');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  t.equal((await counts(clickhouse)).rows, 1000, 'nothing written while ClickHouse is away');
  t.equal(sink.process.exitCode, null, 'the sink keeps running');

  proxy.restore();
  await waitFor(
    'all 2000 events stored',
    async () => ((await counts(clickhouse)).rows >= 2000 ? true : undefined),
    {
      timeoutMs: 60_000,
    },
  );
  t.same(
    await counts(clickhouse),
    { rows: 2000, distinct: 2000, rolledUpViews: 2000 },
    'each event once, everywhere',
  );
  await waitFor('readiness green again', async () =>
    (await fetch(`${sink.url}/readyz`)).ok ? true : undefined,
  );
});

t.test('sink SIGKILLed mid-batch, then a full redelivery: no loss, no duplicates', async (t) => {
  const { ns, kafka, clickhouse, producer, startSink, eventsTopic } = await setup(t, 'sinkkill');
  const total = 30_000;
  await produceViews(producer, eventsTopic, 0, total, 'kill');

  // Small inserts, so the kill lands between inserts and offset commits.
  const first = await startSink({ REC_SINK_BATCH_ROWS: '1000' });
  const atKill = await waitFor('some events stored', async () => {
    const now = await counts(clickhouse);
    return now.rows >= 2000 ? now.rows : undefined;
  });
  await first.stop('SIGKILL');
  t.ok(atKill < total, `killed mid-stream (${atKill} of ${total} stored)`);

  const second = await startSink({ REC_SINK_BATCH_ROWS: '1000' });
  await waitFor(
    'all events stored after the restart',
    async () => ((await counts(clickhouse)).rows >= total ? true : undefined),
    {
      timeoutMs: 120_000,
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.same(
    await counts(clickhouse),
    { rows: total, distinct: total, rolledUpViews: total },
    'each event once, everywhere',
  );
  await second.stop();

  // Kafka delivers everything again (as after a lost offset commit); the sink recognises it all.
  const admin = kafka.admin();
  await admin.connect();
  await admin.resetOffsets({
    groupId: `${ns.topicPrefix}rec-ingest-sink`,
    topic: eventsTopic,
    earliest: true,
  });
  await admin.disconnect();
  const third = await startSink();
  const skipped = await waitFor(
    'the redelivered events skipped',
    async () => {
      const metrics = await (await fetch(`${third.url}/metrics`)).text();
      const match = /rec_ingest_clickhouse_duplicate_rows_skipped_total\{table="events"\} (\d+)/.exec(
        metrics,
      );
      return match !== null && Number(match[1]) >= total ? Number(match[1]) : undefined;
    },
    { timeoutMs: 120_000 },
  );
  t.equal(skipped, total, 'every redelivered event was recognised as stored');
  t.same(
    await counts(clickhouse),
    { rows: total, distinct: total, rolledUpViews: total },
    'and nothing was added',
  );
});
