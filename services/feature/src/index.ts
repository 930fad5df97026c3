/** Composition root of the feature service: config → clients → consumer → HTTP → signals. */
import { connectKafka, createConsumerRunner } from '@recstream/kafka';
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createRedis } from '@recstream/redis';
import { topicName } from '@recstream/schemas';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createFeatureHandler } from './handlers/feature.handler.js';
import { createItemMetaWriter } from './writers/item-meta.writer.js';
import { createPopularityWriter } from './writers/popularity.writer.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'feature', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('feature');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();

  const redis = createRedis(config.REC_REDIS_URL);
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
  await redis.connect();
  lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });

  const { kafka, producer, ready, stop } = await connectKafka({
    brokers: config.REC_KAFKA_BROKERS,
    compression: config.REC_KAFKA_COMPRESSION,
    clientId: 'feature',
    logger,
    topicPrefix: config.REC_TOPIC_PREFIX,
    produceTimeoutMs: 10_000,
  });
  lifecycle.add({ name: 'kafka', stop });

  const itemsTopic = topicName('items', config.REC_TOPIC_PREFIX);
  const consumer = createConsumerRunner({
    kafka,
    groupId: config.REC_TOPIC_PREFIX + config.REC_FEATURE_GROUP_ID,
    topics: [topicName('events', config.REC_TOPIC_PREFIX), itemsTopic],
    handler: createFeatureHandler({
      itemsTopic,
      popularity: createPopularityWriter(redis, config.REC_REDIS_PREFIX),
      itemMeta: createItemMetaWriter(redis, config.REC_REDIS_PREFIX),
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
