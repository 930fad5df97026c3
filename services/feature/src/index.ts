/** Composition root of the feature service: config → clients → consumer → HTTP → signals. */
import { connectKafka, createConsumerRunner, hasCommittedOffsets } from '@recstream/kafka';
import { featureRedisUrl } from '@recstream/config';
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createRedis } from '@recstream/redis';
import { topicName } from '@recstream/schemas';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { featureKeys, readItemMeta, seenWindowS } from '@recstream/features';
import { compileContext } from './compile/event-ops.js';
import { createFeatureHandler } from './handlers/feature.handler.js';
import { startCategoryTopsJob } from './jobs/category-tops.job.js';
import { createFeatureStore } from './store/feature-store.js';
import { assertStoreHasRoom, readStoreMemory } from './store/store-memory.js';
import { assertStorePresent, initialiseStoreState, REBUILD_COMMAND } from './store/store-state.js';
import { createItemMetaWriter } from './writers/item-meta.writer.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'feature', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('feature');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();

  // Everything this service keeps is a feature: it needs only the feature store's Redis.
  const redis = createRedis(featureRedisUrl(config));
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
  await redis.connect();
  lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });

  const { kafka, admin, producer, ready, stop } = await connectKafka({
    brokers: config.REC_KAFKA_BROKERS,
    compression: config.REC_KAFKA_COMPRESSION,
    clientId: 'feature',
    logger,
    metrics,
    topicPrefix: config.REC_TOPIC_PREFIX,
    produceTimeoutMs: 10_000,
  });
  lifecycle.add({ name: 'kafka', stop });

  const itemsTopic = topicName('items', config.REC_TOPIC_PREFIX);
  const eventsTopic = topicName('events', config.REC_TOPIC_PREFIX);
  const groupId = config.REC_TOPIC_PREFIX + config.REC_FEATURE_GROUP_ID;
  const consumedBefore = await hasCommittedOffsets(admin, groupId, eventsTopic);
  const storeState = await initialiseStoreState(redis, config.REC_REDIS_PREFIX, consumedBefore);
  if (storeState === 'lost')
    logger.error(
      `Redis has lost the features this group built; not ready until \`${REBUILD_COMMAND}\` has run`,
    );

  const prefix = config.REC_REDIS_PREFIX;
  const events = metrics.counter<'outcome'>(
    'events_total',
    'Events consumed, by outcome: applied, duplicate (redelivered or retried), late (not applied), parked (in the DLQ: unreadable, against the contract, or refused by Redis)',
    ['outcome'],
  );
  const unknownItems = metrics.counter(
    'unknown_item_refs_total',
    'Item ids in events that the catalog does not know (item features kept, category ones skipped)',
  );
  const freshness = metrics.histogram(
    'freshness_seconds',
    'From ingest receiving an event to its features being in Redis',
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  );
  const store = createFeatureStore(redis, prefix, Date.now, {
    seenWindowS: seenWindowS(config.REC_FEATURE_MAX_LATENESS_MS),
  });
  const memoryUsed = metrics.gauge('store_memory_used_bytes', "The feature store Redis' used memory");
  const memoryMax = metrics.gauge(
    'store_memory_max_bytes',
    "The feature store Redis' maxmemory (0: none); at it, every feature write is refused",
  );
  const pollMemory = async () => {
    const { usedBytes, maxBytes } = await readStoreMemory(redis);
    memoryUsed.set(usedBytes);
    memoryMax.set(maxBytes);
  };
  const memoryPoll = setInterval(
    () => void pollMemory().catch((err: unknown) => logger.warn({ err }, 'feature store memory not read')),
    5_000,
  );
  lifecycle.add({ name: 'store memory poll', stop: () => Promise.resolve(clearInterval(memoryPoll)) });
  const categoryTops = startCategoryTopsJob({
    refresh: () => store.refreshCategoryTops(),
    intervalMs: config.REC_FEATURE_CATEGORY_REFRESH_MS,
    logger,
    metrics,
  });
  lifecycle.add({ name: 'category top lists', stop: () => categoryTops.stop() });

  const consumer = createConsumerRunner({
    kafka,
    groupId,
    topics: [eventsTopic, itemsTopic],
    // Every assigned partition at once: one partition's chunks wait on Redis in turn, so several
    // partitions in flight keep both this process and Redis busy.
    partitionsConsumedConcurrently: 8,
    handler: createFeatureHandler({
      itemsTopic,
      store,
      itemMeta: createItemMetaWriter(redis, prefix),
      lookupItems: async (ids) => {
        const metas = await readItemMeta(redis, prefix, ids);
        return new Map(ids.map((id, i) => [id, metas[i]]));
      },
      catalogSize: () => redis.hlen(featureKeys(prefix).itemMeta()),
      compileContext: (catalog, knownItemsOnly) => compileContext(prefix, catalog, knownItemsOnly),
      maxLatenessMs: config.REC_FEATURE_MAX_LATENESS_MS,
      counters: {
        late: (n) => events.inc({ outcome: 'late' }, n),
        applied: (n) => events.inc({ outcome: 'applied' }, n),
        duplicates: (n) => events.inc({ outcome: 'duplicate' }, n),
        parked: (n) => events.inc({ outcome: 'parked' }, n),
        unknownItems: (n) => unknownItems.inc(n),
        freshness: (seconds) => freshness.observe(seconds),
      },
    }),
    dlq: { producer, topic: topicName('eventsDlq', config.REC_TOPIC_PREFIX) },
    logger,
    metrics,
  });
  await consumer.start();
  lifecycle.add({ name: 'consumer', stop: () => consumer.stop() });

  const app = await buildApp({
    logger,
    metrics,
    checks: {
      redis: async () => void (await redis.ping()),
      store: () => assertStorePresent(redis, prefix),
      'store memory': () => assertStoreHasRoom(redis),
      kafka: ready,
      consumer: () =>
        consumer.joined
          ? Promise.resolve()
          : Promise.reject(new Error('consumer has not joined its group yet')),
    },
  });
  await app.listen({ host: config.REC_HTTP_HOST, port: config.REC_HTTP_PORT });
  lifecycle.add({ name: 'http', stop: () => app.close() });
  logger.info({ port: config.REC_HTTP_PORT }, 'feature started');
}

main().catch((err: unknown) => {
  process.stderr.write(`feature failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
