/**
 * Integration-test helpers. Each test file isolates itself with a unique namespace (topic prefix,
 * consumer groups, ClickHouse database, Redis key prefix), and the cleanup helpers refuse to touch
 * anything whose name lacks the test marker, so a mistake cannot wipe real data.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { createClickHouse, ident, runMigrations, sql, type ClickHouse } from '@recstream/clickhouse';
import { createKafka, ensureTopics, parseBrokers } from '@recstream/kafka';
import { createLogger, type Logger } from '@recstream/logger';
import { CLICKHOUSE_MIGRATIONS_DIR } from '@recstream/schemas';

export const TEST_MARKER = 'test_';

/** Connection settings of the local infrastructure (`infra/infra.sh env`), with its defaults. */
export const infra = {
  kafkaBrokers: process.env['REC_KAFKA_BROKERS'] ?? '127.0.0.1:19092',
  clickhouseUrl: process.env['REC_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:18123',
  // The admin account (migrations, test databases): its password is generated per instance, so
  // it comes from `infra.sh env`; there is no passwordless fallback.
  clickhouseUser: process.env['REC_CLICKHOUSE_USER'] || 'recstream_admin',
  clickhousePassword: process.env['REC_CLICKHOUSE_PASSWORD'] ?? '',
  redisUrl: process.env['REC_REDIS_URL'] ?? 'redis://127.0.0.1:16379',
  /** The feature store's Redis; the same as `redisUrl` when REC_FEATURE_REDIS_URL is unset or empty. */
  featureRedisUrl:
    process.env['REC_FEATURE_REDIS_URL'] || (process.env['REC_REDIS_URL'] ?? 'redis://127.0.0.1:16379'),
};

export interface TestNamespace {
  /** Unique id, starts with the test marker: use it for topic prefixes, groups, databases, keys. */
  readonly id: string;
  readonly topicPrefix: string;
  readonly database: string;
  readonly redisPrefix: string;
  /** Environment for a service process under test, pointing at this namespace. */
  readonly env: Record<string, string>;
}

export function testNamespace(label = 'ns'): TestNamespace {
  const id = `${TEST_MARKER}${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const topicPrefix = `${id}.`;
  return {
    id,
    topicPrefix,
    database: id,
    redisPrefix: id,
    env: {
      REC_KAFKA_BROKERS: infra.kafkaBrokers,
      REC_CLICKHOUSE_URL: infra.clickhouseUrl,
      REC_CLICKHOUSE_USER: infra.clickhouseUser,
      REC_CLICKHOUSE_PASSWORD: infra.clickhousePassword,
      REC_CLICKHOUSE_DATABASE: id,
      REC_REDIS_URL: infra.redisUrl,
      REC_FEATURE_REDIS_URL: infra.featureRedisUrl,
      REC_REDIS_PREFIX: id,
      REC_TOPIC_PREFIX: topicPrefix,
      REC_LOG_LEVEL: process.env['REC_TEST_LOG_LEVEL'] ?? 'warn',
    },
  };
}

function assertTestName(name: string): void {
  if (!name.startsWith(TEST_MARKER))
    throw new Error(`refusing to touch ${JSON.stringify(name)}: no test marker`);
}

export function testLogger(): Logger {
  return createLogger({ service: 'test', level: process.env['REC_TEST_LOG_LEVEL'] ?? 'warn' });
}

/** Creates the namespace's ClickHouse database with every migration applied. */
export async function createTestDatabase(ns: TestNamespace): Promise<ClickHouse> {
  assertTestName(ns.database);
  const options = {
    url: infra.clickhouseUrl,
    username: infra.clickhouseUser,
    password: infra.clickhousePassword,
  };
  const server = createClickHouse({ ...options, database: null });
  const inDatabase = createClickHouse({ ...options, database: ns.database });
  await runMigrations({
    server,
    inDatabase,
    database: ns.database,
    dir: CLICKHOUSE_MIGRATIONS_DIR,
    logger: testLogger(),
  });
  await server.close();
  return inDatabase;
}

export async function dropTestDatabase(ns: TestNamespace): Promise<void> {
  assertTestName(ns.database);
  const server = createClickHouse({
    url: infra.clickhouseUrl,
    username: infra.clickhouseUser,
    password: infra.clickhousePassword,
    database: null,
  });
  await server.command(sql`DROP DATABASE IF EXISTS ${ident(ns.database)}`);
  await server.close();
}

/** A Kafka admin client of the namespace's, on the local broker; the caller connects it. */
export function testKafkaAdmin(ns: TestNamespace): Admin {
  return createKafka({
    brokers: parseBrokers(infra.kafkaBrokers),
    clientId: ns.id,
    logger: testLogger(),
  }).admin();
}

async function withKafkaAdmin<T>(ns: TestNamespace, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafkaAdmin(ns);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTestTopics(ns: TestNamespace): Promise<void> {
  await withKafkaAdmin(ns, (admin) => ensureTopics(admin, ns.topicPrefix));
}

export async function deleteTestTopics(ns: TestNamespace): Promise<void> {
  assertTestName(ns.topicPrefix);
  await withKafkaAdmin(ns, async (admin) => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
}

/** Deletes the namespace's keys from both Redis roles (durable and feature store). */
export async function deleteTestKeys(ns: TestNamespace): Promise<void> {
  assertTestName(ns.redisPrefix);
  for (const url of new Set([infra.redisUrl, infra.featureRedisUrl])) {
    const redis = new Redis(url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${ns.redisPrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}

/**
 * A Redis client connected to the test feature store (where serving reads); `teardown` (the test's own, e.g. `t.teardown`) is
 * given the clean-up: the namespace's keys deleted, the client disconnected.
 */
export async function connectTestRedis(
  ns: TestNamespace,
  teardown: (cleanUp: () => Promise<void>) => void,
): Promise<Redis> {
  const redis = new Redis(infra.featureRedisUrl, { lazyConnect: true });
  await redis.connect();
  teardown(async () => {
    await deleteTestKeys(ns);
    redis.disconnect();
  });
  return redis;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}

export { startService, type RunningService } from './service-process.js';
export { readTopic, type TopicMessage } from './topic-reader.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { connectTestKafka, testTopics, type TestKafka } from './test-kafka.js';
export { freePort, freePorts } from './ports.js';
