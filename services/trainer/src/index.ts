/** Composition root of the trainer: config → clients → registry → BullMQ worker → HTTP → signals. */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createClickHouse } from '@recstream/clickhouse';
import { clickhouseConnection } from '@recstream/config';
import { connectKafka } from '@recstream/kafka';
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { loadTensorFlow } from '@recstream/models';
import { createQueueRedis, queueKeyPrefix } from '@recstream/redis';
import { topicName } from '@recstream/schemas';
import { buildApp } from './app.js';
import { loadConfig, sequenceSettings } from './config.js';
import { createTrainerMetrics } from './metrics/trainer-metrics.js';
import { createModelRegistry, publishedMessage } from '@recstream/model-registry';
import { createClickHouseMirror } from './registry/registry-mirror.js';
import { startNewEventsTrigger } from './triggers/new-events.trigger.js';
import { startTrainerWorker } from './worker.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'trainer', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('trainer');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();
  const tf = loadTensorFlow(); // fails fast, naming the setup command, when the native addon is missing

  const clickhouse = createClickHouse(clickhouseConnection(config));
  lifecycle.add({ name: 'clickhouse', stop: () => clickhouse.close() });

  const { producer, ready, stop } = await connectKafka({
    brokers: config.REC_KAFKA_BROKERS,
    compression: config.REC_KAFKA_COMPRESSION,
    clientId: 'trainer',
    logger,
    metrics,
    topicPrefix: config.REC_TOPIC_PREFIX,
    produceTimeoutMs: 10_000,
  });
  lifecycle.add({ name: 'kafka', stop });
  const modelsTopic = topicName('modelsPublished', config.REC_TOPIC_PREFIX);

  const redis = createQueueRedis(config.REC_REDIS_URL);
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
  lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });

  const now = (): Date => new Date();
  const registry = createModelRegistry(resolve(config.REC_MODEL_REGISTRY_DIR));
  const operations = {
    registry,
    mirror: createClickHouseMirror(clickhouse, now),
    announce: (record: Parameters<typeof publishedMessage>[0]) =>
      producer.send(modelsTopic, [publishedMessage(record)]),
  };
  const settings = sequenceSettings(config);
  const trainer = await startTrainerWorker({
    connection: redis,
    queueName: 'trainer',
    keyPrefix: queueKeyPrefix(config.REC_REDIS_PREFIX),
    redisPrefix: config.REC_REDIS_PREFIX,
    sequence: {
      settings,
      deps: {
        ...operations,
        clickhouse,
        tf,
        metrics: createTrainerMetrics(metrics),
        logger,
        now,
        suffix: () => randomBytes(3).toString('hex'),
      },
    },
    popularity: {
      deps: { ...operations, clickhouse, now },
      params: {
        windowHours: config.REC_TRAIN_POPULARITY_WINDOW_HOURS,
        topN: config.REC_TRAIN_POPULARITY_TOP_N,
      },
      everyMs: config.REC_TRAIN_POPULARITY_EVERY_MS,
    },
    schedule: {
      incrementalEveryMs: config.REC_TRAIN_INCREMENTAL_EVERY_MS,
      fullTrainEveryMs: config.REC_TRAIN_FULL_EVERY_MS,
      evaluateEveryMs: config.REC_TRAIN_EVALUATE_EVERY_MS,
    },
    attempts: config.REC_TRAIN_JOB_ATTEMPTS,
    backoffMs: config.REC_TRAIN_JOB_BACKOFF_MS,
    lockTtlMs: config.REC_TRAIN_LOCK_TTL_MS,
    keepVersions: config.REC_MODEL_REGISTRY_KEEP,
    logger,
    metrics,
  });
  lifecycle.add({ name: 'worker', stop: () => trainer.stop() });
  // A model with no version yet starts with a full training; updates continue from it.
  if ((await registry.head(settings.model)) === undefined)
    await trainer.enqueue('full-train', { model: settings.model, reason: 'no version yet' });
  if (config.REC_TRAIN_INCREMENTAL_AFTER_EVENTS > 0) {
    const trigger = startNewEventsTrigger({
      clickhouse,
      registry,
      model: settings.model,
      threshold: config.REC_TRAIN_INCREMENTAL_AFTER_EVENTS,
      pollMs: config.REC_TRAIN_TRIGGER_POLL_MS,
      trigger: () => trainer.enqueue('incremental-update', { model: settings.model, trigger: 'new-events' }),
      logger,
    });
    lifecycle.add({ name: 'new-events trigger', stop: () => Promise.resolve(trigger.stop()) });
  }

  const app = await buildApp({
    logger,
    metrics,
    checks: {
      redis: async () => void (await redis.ping()),
      clickhouse: () => clickhouse.ping(),
      kafka: ready,
    },
  });
  await app.listen({ host: config.REC_HTTP_HOST, port: config.REC_HTTP_PORT });
  lifecycle.add({ name: 'http', stop: () => app.close() });
  logger.info({ port: config.REC_HTTP_PORT, model: settings.model }, 'trainer started');
}

main().catch((err: unknown) => {
  process.stderr.write(`trainer failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
