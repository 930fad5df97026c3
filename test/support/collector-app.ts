/**
 * The collector app as the write-key tests run it, on the local Redis: write keys from the store
 * under the test's prefix (lookups cached 5 s, as the service does, unless told otherwise), rate
 * limits in Redis, real validators, silent logs and fresh metrics; closed with the test.
 */
import type { Test } from 'tap';
import { buildApp, type IngestAppDeps } from '@recstream/ingest/app';
import {
  cacheWriteKeyLookup,
  createRateLimiter,
  createWriteKeyStore,
  type ClientLimits,
  type WriteKeyStore,
} from '@recstream/ingest/auth';
import { createPublisher, type Publisher } from '@recstream/ingest/replay';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createRedis, type Redis } from '@recstream/redis';
import { createValidators, type EnrichedEvent } from '@recstream/schemas';
import {
  connectTestKafka,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  infra,
  testTopics,
  type TestNamespace,
} from '@recstream/testing';

export interface TestCollector {
  readonly redis: Redis;
  readonly redisPrefix: string;
  readonly publisher: Publisher;
  /** How long a key lookup is cached (5 s when absent), and by which clock. */
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
  /** Per-client limits within browser keys; none when absent. */
  readonly clients?: ClientLimits;
}

type CollectorApp = Awaited<ReturnType<typeof buildApp>>;

/** `overrides` replace the defaults: 1 MiB bodies, 1000 events a batch, 60 s of clock skew, no checks. */
export async function collectorApp(
  t: Test,
  collector: TestCollector,
  overrides: Partial<IngestAppDeps> = {},
): Promise<{ app: CollectorApp; store: WriteKeyStore }> {
  const { redis, redisPrefix } = collector;
  const store = createWriteKeyStore(redis, redisPrefix);
  const app = await buildApp({
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('ingest', { defaultMetrics: false }),
    validators: createValidators(),
    publisher: collector.publisher,
    auth: {
      mode: 'required',
      keys: cacheWriteKeyLookup(store.lookup, {
        ttlMs: collector.cacheTtlMs ?? 5000,
        ...(collector.now === undefined ? {} : { now: collector.now }),
      }),
      limiter: createRateLimiter(redis, redisPrefix),
      ...(collector.clients === undefined ? {} : { clients: collector.clients }),
    },
    checks: {},
    maxBodyBytes: 1024 * 1024,
    maxBatchEvents: 1000,
    maxFutureSkewMs: 60_000,
    ...overrides,
  });
  t.teardown(() => app.close());
  return { app, store };
}

/** A publisher that keeps the events it is given, for tests whose subject ends before Kafka. */
export function recordingPublisher(): { publisher: Publisher; events: EnrichedEvent[] } {
  const events: EnrichedEvent[] = [];
  const publisher: Publisher = {
    publishEvents: (batch) => {
      events.push(...batch);
      return Promise.resolve();
    },
    publishItems: () => Promise.resolve(),
    deleteItems: () => Promise.resolve(),
    parkRefused: () => Promise.resolve(),
  };
  return { publisher, events };
}

/** The local Redis, disconnected with the test. */
export async function connectRedis(t: Test): Promise<Redis> {
  const redis = createRedis(infra.redisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  return redis;
}

/**
 * What a collector that really produces needs: the namespace's topics, a Kafka publisher to them
 * and the local Redis. When the test ends (after the app, registered later, is closed) the producer
 * and Redis disconnect, and the topics and the namespace's keys are deleted.
 */
export async function kafkaCollector(t: Test, ns: TestNamespace): Promise<TestCollector> {
  await createTestTopics(ns);
  const { producer } = await connectTestKafka(ns);
  const redis = createRedis(infra.redisUrl);
  await redis.connect();
  t.teardown(async () => {
    await producer.disconnect();
    redis.disconnect();
    await Promise.allSettled([deleteTestTopics(ns), deleteTestKeys(ns)]);
  });
  return { redis, redisPrefix: ns.redisPrefix, publisher: createPublisher(producer, testTopics(ns)) };
}
