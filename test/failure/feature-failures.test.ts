/**
 * The feature service under failure, as real processes against the real Kafka, ClickHouse and
 * Redis:
 * - SIGKILLed mid-batch and restarted: every event counted once (no loss, no double count), in
 *   the global counts, the item windows and the shoppers' sequences;
 * - Redis restarted empty under it: readiness goes red, events keep being applied, and
 *   `pnpm features:rebuild` (the real CLI) restores what was lost, exactly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { WINDOWS, bucketOf, featureKeys, windowField } from '@recstream/features';
import type { ProducerHandle } from '@recstream/kafka';
import { createRedis } from '@recstream/redis';
import type { EnrichedEvent } from '@recstream/schemas';
import {
  connectTestKafka,
  createTestDatabase,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  freePort,
  dropTestDatabase,
  type RunningService,
  startService,
  testNamespace,
  type TestNamespace,
  testTopics,
  waitFor,
} from '@recstream/testing';
import { produceEvents } from '../support/produce-events.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ITEMS = 50;
const SHOPPERS = 1500;
const T = Date.now() - 60_000;

function click(i: number, prefix: string): EnrichedEvent {
  return {
    type: 'click',
    event_id: `${prefix}-${i}`,
    user_id: `u${i % SHOPPERS}`,
    session_id: `s${i % SHOPPERS}-${Math.floor(i / (SHOPPERS * 10))}`,
    item_id: `sku-${i % ITEMS}`,
    schema_version: 1,
    event_time: new Date(T + i).toISOString(),
    received_at: new Date(T + i + 50).toISOString(),
    source: 'test',
  };
}

function produceClicks(producer: ProducerHandle, topic: string, from: number, to: number, prefix: string) {
  return produceEvents(producer, topic, from, to, (i) => click(i, prefix));
}

/** What the store says about the clicks: the global count, the 7 d window total, the sequence lengths. */
async function tally(redisUrl: string, prefix: string) {
  const redis = createRedis(redisUrl);
  await redis.connect();
  try {
    const keys = featureKeys(prefix);
    const sevenDays = WINDOWS[2]!;
    const pipeline = redis.pipeline();
    pipeline.hget(keys.globalCounts(), 'click');
    for (let i = 0; i < ITEMS; i += 1)
      pipeline.hget(keys.itemWindows(`sku-${i}`), windowField('click', sevenDays, bucketOf(sevenDays, T)));
    for (let u = 0; u < SHOPPERS; u += 1) pipeline.zcard(keys.subjectSequence(`u:u${u}`));
    const results = ((await pipeline.exec()) ?? []).map(([, value]) => Number(value ?? 0));
    return {
      global: results[0] ?? 0,
      windows: results.slice(1, 1 + ITEMS).reduce((a, b) => a + b, 0),
      sequences: results.slice(1 + ITEMS).reduce((a, b) => a + b, 0),
    };
  } finally {
    redis.disconnect();
  }
}

async function setup(t: Test, label: string) {
  const ns: TestNamespace = testNamespace(label);
  await createTestTopics(ns);
  const { producer } = await connectTestKafka(ns, { timeoutMs: 20_000 });
  const services: RunningService[] = [];
  t.teardown(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await producer.disconnect();
    await deleteTestTopics(ns);
    await deleteTestKeys(ns);
  });
  const start = async (service: 'feature' | 'ingest', env: Record<string, string> = {}) => {
    const running = await startService({ service, env: { ...ns.env, ...env } });
    services.push(running);
    return running;
  };
  return { ns, producer, start, eventsTopic: testTopics(ns).events };
}

t.test('feature service SIGKILLed mid-batch: each event counted once', async (t) => {
  const { ns, producer, start, eventsTopic } = await setup(t, 'featkill');
  // Large enough that the first instance is still applying when it is killed: it sends a whole
  // fetch's chunks to Redis at once.
  const total = 90_000;
  await produceClicks(producer, eventsTopic, 0, total, 'kill');
  const redisUrl = ns.env['REC_FEATURE_REDIS_URL'] ?? '';
  const prefix = ns.env['REC_REDIS_PREFIX'] ?? '';

  // One cheap read, often: the live store sends a fetch's chunks to Redis at once, so a slow probe
  // could see the whole backlog applied before it sees a part of it.
  const probe = createRedis(redisUrl);
  await probe.connect();
  t.teardown(() => probe.disconnect());
  const first = await start('feature');
  const atKill = await waitFor(
    'some events applied',
    async () => {
      const global = Number((await probe.hget(featureKeys(prefix).globalCounts(), 'click')) ?? 0);
      return global >= 1000 ? global : undefined;
    },
    { intervalMs: 5 },
  );
  await first.stop('SIGKILL');
  t.ok(atKill < total, `killed mid-stream (${atKill} of ${total} applied)`);

  await start('feature');
  await waitFor(
    'all events applied after the restart',
    async () => ((await tally(redisUrl, prefix)).global >= total ? true : undefined),
    { timeoutMs: 120_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // Sequences are capped per shopper (SEQUENCE_MAX, 100); 1,500 shoppers × 60 clicks each stay under it.
  t.same(
    await tally(redisUrl, prefix),
    { global: total, windows: total, sequences: total },
    'every event applied exactly once: counts, windows and sequences',
  );
});

/** A Redis of the test's own, so it can really be restarted empty. */
async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor('private Redis to answer', async () => {
    const probe = createRedis(`redis://127.0.0.1:${port}`);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      probe.disconnect();
    }
  });
  return child;
}

async function runRebuild(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/feature/src/cli/rebuild.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

t.test('Redis restarted empty: readiness red, the rebuild restores every feature', async (t) => {
  const { ns, producer, start, eventsTopic } = await setup(t, 'featlost');
  const clickhouse = await createTestDatabase(ns);
  const redisPort = await freePort();
  let redis = await startPrivateRedis(redisPort);
  t.teardown(async () => {
    redis.kill('SIGKILL');
    await clickhouse.close();
    await dropTestDatabase(ns);
  });
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const prefix = ns.env['REC_REDIS_PREFIX'] ?? '';
  const env = { REC_FEATURE_REDIS_URL: redisUrl };
  await start('ingest', { REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '100' });
  const feature = await start('feature', env);

  const before = 4000;
  await produceClicks(producer, eventsTopic, 0, before, 'lost');
  await waitFor('the first events applied', async () =>
    (await tally(redisUrl, prefix)).global >= before ? true : undefined,
  );

  redis.kill('SIGKILL');
  await once(redis, 'exit');
  redis = await startPrivateRedis(redisPort);
  const red = await waitFor('readiness to go red', async () => {
    const response = await fetch(`${feature.url}/readyz`);
    return response.status === 503 ? await response.text() : undefined;
  });
  t.match(red, /features:rebuild/, '/readyz names the command that restores the store');

  const after = 1000;
  await produceClicks(producer, eventsTopic, before, before + after, 'lost');
  await waitFor('the new events applied to the empty store', async () =>
    (await tally(redisUrl, prefix)).global >= after ? true : undefined,
  );
  await waitFor('every event in ClickHouse', async () => {
    const [row] = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events');
    return Number(row?.n) >= before + after ? true : undefined;
  });

  const rebuild = await runRebuild({ ...ns.env, ...env });
  t.equal(rebuild.code, 0, `the rebuild succeeded ${rebuild.stderr}`);
  const report = JSON.parse(rebuild.stdout) as Record<string, number>;
  t.match(report, { read: before + after, unpositioned: 0, late: 0 }, 'the report accounts for the log');
  t.equal(report['applied']! + report['alreadyApplied']!, before + after, 'every logged event placed once');
  t.ok(report['alreadyApplied']! >= after, 'what the live consumer applied was not applied again');

  await waitFor('readiness green again', async () =>
    (await fetch(`${feature.url}/readyz`)).ok ? true : undefined,
  );
  t.same(
    await tally(redisUrl, prefix),
    { global: before + after, windows: before + after, sequences: before + after },
    'the store holds every event exactly once again',
  );
});
