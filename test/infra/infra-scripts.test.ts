/**
 * infra/infra.sh against the real services, on a SECOND instance: its own REC_INFRA_DIR under
 * .local/test-infra-<random> and its own ports, so the default instance (which other tests use
 * at the same time) is never touched. The installed Kafka jars and Debian packages are shared.
 *
 * Checks what a developer relies on: start/stop are idempotent, status tells the truth through
 * its exit code, data survives stop + start, and reset really wipes it.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const INFRA_SH = path.join(REPO_ROOT, 'infra', 'infra.sh');
const COMPONENTS = ['kafka', 'clickhouse', 'redis', 'feature-store'] as const;

// Every name this test creates carries the "test" marker and a random suffix.
const suffix = randomBytes(4).toString('hex');
const instanceDir = path.join(REPO_ROOT, '.local', `test-infra-${suffix}`);
const redisKey = `test:infra:${suffix}`;
const chTable = `test_infra_${suffix}`;
const kafkaTopic = `test.infra.${suffix}`;

// Ports: a random multiple of 10 above 2x0xx, so two concurrent runs of this file (and the
// default instance on 1x0xx) do not collide; with steps of 10 the seven bases never overlap.
const offset = 10 * randomInt(0, 50);
const ports = {
  REC_KAFKA_PORT: 29092 + offset,
  REC_KAFKA_CONTROLLER_PORT: 29093 + offset,
  REC_CLICKHOUSE_HTTP_PORT: 28123 + offset,
  REC_CLICKHOUSE_TCP_PORT: 29000 + offset,
  REC_CLICKHOUSE_INTERSERVER_PORT: 29009 + offset,
  REC_REDIS_PORT: 26379 + offset,
  REC_FEATURE_REDIS_PORT: 26380 + offset,
};

const instanceEnv: NodeJS.ProcessEnv = {
  ...process.env,
  REC_INFRA_DIR: instanceDir,
  REC_INFRA_TIMEOUT_S: '150',
  ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
};

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs infra.sh and resolves with its exit code and output; never rejects on a non-zero exit. */
function infra(args: readonly string[], env: NodeJS.ProcessEnv = instanceEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [INFRA_SH, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like infra(), but fails the test with infra.sh's output when the exit code is not 0. */
async function infraOk(tt: { equal: typeof t.equal }, args: readonly string[]): Promise<RunResult> {
  const result = await infra(args);
  tt.equal(result.code, 0, `infra.sh ${args.join(' ')} exits 0`, {
    stdout: result.stdout,
    stderr: result.stderr,
  });
  return result;
}

// Clients -----------------------------------------------------------------------------------------

function kafka(): Kafka {
  return new Kafka({
    clientId: `test-infra-${suffix}`,
    brokers: [`127.0.0.1:${ports.REC_KAFKA_PORT}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
}

/** The instance's admin account, from its `env` (the password is generated per instance). */
const chAdmin = { username: '', password: '' };

function clickhouse(): ClickHouseClient {
  return createClient({
    url: `http://127.0.0.1:${ports.REC_CLICKHOUSE_HTTP_PORT}`,
    ...chAdmin,
    // ClickHouse 18.16 rejects settings it does not know; send none beyond what is needed.
    compression: { request: false, response: false },
  });
}

async function withRedis<T>(
  use: (redis: Redis) => Promise<T>,
  port: number = ports.REC_REDIS_PORT,
): Promise<T> {
  const redis = new Redis(`redis://127.0.0.1:${port}`, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function withClickHouse<T>(use: (ch: ClickHouseClient) => Promise<T>): Promise<T> {
  const ch = clickhouse();
  try {
    return await use(ch);
  } finally {
    await ch.close();
  }
}

async function tableExists(ch: ClickHouseClient): Promise<boolean> {
  const result = await ch.query({ query: `EXISTS TABLE default.${chTable}`, format: 'TabSeparated' });
  return (await result.text()).trim() === '1';
}

async function topicNames(): Promise<string[]> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/** Reads the topic from the beginning with a fresh consumer group; resolves with the values. */
async function readTopic(expected: number, timeoutMs = 60_000): Promise<string[]> {
  const consumer = kafka().consumer({ groupId: `test-infra-${suffix}-${randomBytes(3).toString('hex')}` });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: kafkaTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        values.push(message.value?.toString('utf8') ?? '');
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (values.length < expected && Date.now() < deadline) await sleep(200);
    return values;
  } finally {
    await consumer.disconnect();
  }
}

// The flow -----------------------------------------------------------------------------------------

t.setTimeout(600_000);

t.teardown(async () => {
  // Whatever happened above: stop this instance's servers and remove its folder.
  await infra(['stop']);
  await rm(instanceDir, { recursive: true, force: true });
});

t.test('setup is idempotent and quick once installed', async (tt) => {
  const started = Date.now();
  const result = await infraOk(tt, ['setup']);
  tt.match(result.stderr, /setup done/);
  // The default instance's setup already ran on this machine (CI runs it before the tests);
  // a second setup must not redo apt or Maven.
  const again = Date.now();
  await infraOk(tt, ['setup']);
  tt.ok(Date.now() - again < 20_000, 'second setup finishes in seconds', { firstMs: again - started });
});

t.test('rejects bad input before touching anything', async (tt) => {
  const bogus = await infra(['bogus']);
  tt.not(bogus.code, 0, 'unknown command fails');
  const component = await infra(['start', 'postgres']);
  tt.not(component.code, 0, 'unknown component fails');
  tt.match(component.stderr, /unknown component: postgres/);
  const root = await infra(['reset'], { ...instanceEnv, REC_INFRA_DIR: '/' });
  tt.not(root.code, 0, 'reset refuses REC_INFRA_DIR=/');
  const port = await infra(['status'], { ...instanceEnv, REC_REDIS_PORT: '70000' });
  tt.not(port.code, 0, 'an impossible port fails');
});

t.test('reset refuses a data dir that is not an infra instance', async (tt) => {
  const foreign = path.join(REPO_ROOT, '.local', `test-infra-foreign-${suffix}`);
  await mkdir(path.join(foreign, 'data', 'redis'), { recursive: true });
  try {
    const result = await infra(['reset', 'redis'], { ...instanceEnv, REC_INFRA_DIR: foreign });
    tt.not(result.code, 0, 'reset fails');
    tt.match(result.stderr, /refusing to wipe/);
    tt.ok((await stat(path.join(foreign, 'data', 'redis'))).isDirectory(), 'the directory is still there');
  } finally {
    await rm(foreign, { recursive: true, force: true });
  }
});

t.test('status is non-zero before the first start', async (tt) => {
  const result = await infra(['status']);
  tt.not(result.code, 0);
  for (const c of COMPONENTS) tt.match(result.stdout, new RegExp(`^${c}\\s+stopped`, 'm'));
});

t.test('env prints this instance ports', async (tt) => {
  const result = await infraOk(tt, ['env']);
  tt.match(result.stdout, `export REC_KAFKA_BROKERS=127.0.0.1:${ports.REC_KAFKA_PORT}\n`);
  tt.match(result.stdout, `export REC_CLICKHOUSE_URL=http://127.0.0.1:${ports.REC_CLICKHOUSE_HTTP_PORT}\n`);
  // The accounts themselves are checked by clickhouse-accounts.test.ts.
  chAdmin.username = /^export REC_CLICKHOUSE_USER=(.+)$/m.exec(result.stdout)?.[1] ?? '';
  chAdmin.password = /^export REC_CLICKHOUSE_PASSWORD=(.+)$/m.exec(result.stdout)?.[1] ?? '';
  tt.equal(chAdmin.username, 'recstream_admin', 'the admin account, not the packaged default');
  tt.match(chAdmin.password, /^[0-9a-f]{32}$/, 'with a generated password');
  tt.match(result.stdout, `export REC_REDIS_URL=redis://127.0.0.1:${ports.REC_REDIS_PORT}\n`);
  tt.match(result.stdout, `export REC_FEATURE_REDIS_URL=redis://127.0.0.1:${ports.REC_FEATURE_REDIS_PORT}\n`);
});

t.test('start, then start again says already running', async (tt) => {
  await infraOk(tt, ['start']);
  const again = await infraOk(tt, ['start']);
  for (const c of COMPONENTS) tt.match(again.stderr, new RegExp(`${c}: already running`));
  const status = await infraOk(tt, ['status']);
  for (const c of COMPONENTS) tt.match(status.stdout, new RegExp(`^${c}\\s+running\\s+pid \\d+`, 'm'));
});

t.test('redis persists through its AOF alone: no snapshot rules that fork it every minute', async (tt) => {
  await withRedis(async (redis) => {
    tt.same(await redis.config('GET', 'appendonly'), ['appendonly', 'yes']);
    tt.same(await redis.config('GET', 'save'), ['save', ''], 'no RDB snapshot rules');
  });
});

t.test('the feature store keeps nothing on disk and never evicts', async (tt) => {
  await withRedis(async (redis) => {
    tt.same(await redis.config('GET', 'appendonly'), ['appendonly', 'no']);
    tt.same(await redis.config('GET', 'save'), ['save', ''], 'no RDB snapshot rules');
    tt.same(
      await redis.config('GET', 'maxmemory-policy'),
      ['maxmemory-policy', 'noeviction'],
      'never evicts a watermark',
    );
  }, ports.REC_FEATURE_REDIS_PORT);
});

t.test('the broker collects garbage with one thread, leaving the other cores to the services', async (tt) => {
  const pid = (await readFile(path.join(instanceDir, 'run', 'kafka.pid'), 'utf8')).trim();
  const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  tt.ok(commandLine.includes('-XX:ParallelGCThreads=1'), 'one parallel GC thread');
  tt.ok(commandLine.includes('-XX:ConcGCThreads=1'), 'one concurrent GC thread');
});

t.test('write data into all four servers', async (tt) => {
  await withRedis(async (redis) => {
    tt.equal(await redis.set(redisKey, 'kept'), 'OK');
  });
  await withRedis(async (redis) => {
    tt.equal(await redis.set(redisKey, 'derived'), 'OK');
  }, ports.REC_FEATURE_REDIS_PORT);
  await withClickHouse(async (ch) => {
    await ch.command({
      query: `CREATE TABLE default.${chTable} (id UInt32, name String) ENGINE = MergeTree ORDER BY id`,
    });
    await ch.insert({
      table: `default.${chTable}`,
      values: [{ id: 7, name: 'kept' }],
      format: 'JSONEachRow',
    });
  });
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: kafkaTopic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: kafkaTopic, acks: -1, messages: [{ key: 'k', value: 'kept' }] });
  } finally {
    await producer.disconnect();
  }
  tt.same(await readTopic(1), ['kept'], 'the message is readable before the restart');
});

t.test('stop, stop again, status non-zero', async (tt) => {
  const stop = await infraOk(tt, ['stop']);
  for (const c of COMPONENTS) tt.match(stop.stderr, new RegExp(`${c}: stopped`));
  const again = await infraOk(tt, ['stop']);
  for (const c of COMPONENTS) tt.match(again.stderr, new RegExp(`${c}: not running`));
  const status = await infra(['status']);
  tt.not(status.code, 0, 'status exits non-zero when stopped');
  for (const c of COMPONENTS) tt.match(status.stdout, new RegExp(`^${c}\\s+stopped`, 'm'));
  const one = await infra(['status', 'redis']);
  tt.not(one.code, 0, 'status of one stopped component is non-zero too');
});

t.test('data survives stop + start', async (tt) => {
  await infraOk(tt, ['start']);
  tt.equal(await withRedis((redis) => redis.get(redisKey)), 'kept', 'redis key');
  tt.equal(
    await withRedis((redis) => redis.exists(redisKey), ports.REC_FEATURE_REDIS_PORT),
    0,
    'the feature store starts empty (its data is rebuilt from ClickHouse)',
  );
  const rows = await withClickHouse(async (ch) => {
    const result = await ch.query({
      query: `SELECT id, name FROM default.${chTable}`,
      format: 'JSONEachRow',
    });
    return result.json<{ id: number; name: string }>();
  });
  tt.same(rows, [{ id: 7, name: 'kept' }], 'clickhouse row');
  tt.ok((await topicNames()).includes(kafkaTopic), 'kafka topic');
  tt.same(await readTopic(1), ['kept'], 'kafka message');
});

t.test('reset wipes the data', async (tt) => {
  await infraOk(tt, ['reset']);
  const status = await infra(['status']);
  tt.not(status.code, 0, 'reset leaves the components stopped');
  await infraOk(tt, ['start']);
  tt.equal(await withRedis((redis) => redis.exists(redisKey)), 0, 'redis key gone');
  tt.equal(await withClickHouse(tableExists), false, 'clickhouse table gone');
  tt.notOk((await topicNames()).includes(kafkaTopic), 'kafka topic gone');
});

t.test('one component at a time', async (tt) => {
  await infraOk(tt, ['stop', 'redis']);
  const status = await infra(['status']);
  tt.not(status.code, 0, 'status is non-zero when one component is down');
  tt.match(status.stdout, /^redis\s+stopped/m);
  tt.match(status.stdout, /^kafka\s+running/m);
  await infraOk(tt, ['status', 'kafka', 'clickhouse']);
  await infraOk(tt, ['start', 'redis']);
  await infraOk(tt, ['status']);
});

t.test('docker-compose.yml follows infra/versions.env', async (tt) => {
  const versions = await readFile(path.join(REPO_ROOT, 'infra', 'versions.env'), 'utf8');
  const compose = await readFile(path.join(REPO_ROOT, 'infra', 'docker-compose.yml'), 'utf8');
  for (const name of ['KAFKA_VERSION', 'CLICKHOUSE_IMAGE_TAG', 'REDIS_IMAGE_TAG']) {
    const pinned = new RegExp(`^${name}=(.+)$`, 'm').exec(versions)?.[1];
    tt.ok(pinned, `${name} is pinned in versions.env`);
    tt.match(compose, `\${${name}:-${pinned}}`, `compose falls back to the pinned ${name}`);
  }
  for (const [name, port] of [
    ['REC_KAFKA_PORT', 19092],
    ['REC_CLICKHOUSE_HTTP_PORT', 18123],
    ['REC_CLICKHOUSE_TCP_PORT', 19000],
    ['REC_REDIS_PORT', 16379],
    ['REC_FEATURE_REDIS_PORT', 16380],
  ] as const) {
    tt.match(compose, `127.0.0.1:\${${name}:-${port}}`, `compose publishes ${name} on loopback`);
  }
});

t.test('stop at the end; a second stop is harmless', async (tt) => {
  await infraOk(tt, ['stop']);
  await infraOk(tt, ['stop']);
  const status = await infra(['status']);
  tt.not(status.code, 0);
});
