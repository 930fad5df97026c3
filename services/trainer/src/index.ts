/** Composition root of the trainer: config → clients → BullMQ worker → HTTP → signals. */
import { resolve } from 'node:path';
import { createClickHouse } from '@recstream/clickhouse';
import { connectKafka } from '@recstream/kafka';
import { clickhouseConnection } from '@recstream/config';
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createQueueRedis } from '@recstream/redis';
import { topicName } from '@recstream/schemas';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createFilesystemRegistry } from './registry/filesystem-registry.js';
import { startTrainerWorker } from './worker.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'trainer', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('trainer');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();

  const clickhouse = createClickHouse(clickhouseConnection(config));
  lifecycle.add({ name: 'clickhouse', stop: () => clickhouse.close() });

  const { producer, ready, stop } = await connectKafka({
    brokers: config.REC_KAFKA_BROKERS,
    compression: config.REC_KAFKA_COMPRESSION,
    clientId: 'trainer',
    logger,
    topicPrefix: config.REC_TOPIC_PREFIX,
    produceTimeoutMs: 10_000,
  });
  lifecycle.add({ name: 'kafka', stop });
  const modelsTopic = topicName('modelsPublished', config.REC_TOPIC_PREFIX);

  const redis = createQueueRedis(config.REC_REDIS_URL);
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
  lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });

  const trainer = await startTrainerWorker({
    connection: redis,
    queueName: 'trainer',
    keyPrefix: `${config.REC_REDIS_PREFIX}:bull`,
    everyMs: config.REC_TRAIN_POPULARITY_EVERY_MS,
    params: {
      windowHours: config.REC_TRAIN_POPULARITY_WINDOW_HOURS,
      topN: config.REC_TRAIN_POPULARITY_TOP_N,
    },
    job: {
      clickhouse,
      registry: createFilesystemRegistry(resolve(config.REC_MODEL_REGISTRY_DIR)),
      publish: (manifest) =>
        producer.send(modelsTopic, [{ key: manifest.model, value: JSON.stringify(manifest) }]),
      now: () => new Date(),
    },
    logger,
    metrics,
  });
  lifecycle.add({ name: 'worker', stop: () => trainer.stop() });

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
  logger.info({ port: config.REC_HTTP_PORT }, 'trainer started');
}

main().catch((err: unknown) => {
  process.stderr.write(`trainer failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
