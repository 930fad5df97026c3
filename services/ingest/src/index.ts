/**
 * Composition root of the ingest service: config → clients → start → signals.
 * Role `collector` serves the HTTP API; `sink` moves Kafka into ClickHouse; `both` does both.
 */
import { createClickHouse } from '@recstream/clickhouse';
import { connectKafka, createConsumerRunner } from '@recstream/kafka';
import { clickhouseConnection } from '@recstream/config';
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createValidators, topicName } from '@recstream/schemas';
import { parseTrustProxy, type ReadinessCheck } from '@recstream/http';
import { createRedis } from '@recstream/redis';
import { buildApp } from './app.js';
import {
  cacheWriteKeyLookup,
  createRateLimiter,
  createWriteKeyStore,
  type IntakeAuth,
} from './auth/index.js';
import { clientLimits, loadConfig } from './config.js';
import { createAdmission, withAdmission } from './handlers/admission.js';
import { createPublisher } from './handlers/event-publisher.js';
import { createSinkHandler } from './sink/sink.handler.js';
import { createSinkWriters } from './sink/sink.writers.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'ingest', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('ingest');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();

  const role = config.REC_INGEST_ROLE;
  const { kafka, producer, ready, stop } = await connectKafka({
    brokers: config.REC_KAFKA_BROKERS,
    compression: config.REC_KAFKA_COMPRESSION,
    clientId: `ingest-${role}`,
    logger,
    metrics,
    topicPrefix: config.REC_TOPIC_PREFIX,
    produceTimeoutMs: config.REC_INGEST_PRODUCE_TIMEOUT_MS,
  });
  lifecycle.add({ name: 'kafka', stop });
  const topics = {
    events: topicName('events', config.REC_TOPIC_PREFIX),
    items: topicName('items', config.REC_TOPIC_PREFIX),
    dlq: topicName('eventsDlq', config.REC_TOPIC_PREFIX),
  };

  const checks: Record<string, ReadinessCheck> = { kafka: ready };

  if (role === 'sink' || role === 'both') {
    const clickhouse = createClickHouse(clickhouseConnection(config));
    lifecycle.add({ name: 'clickhouse', stop: () => clickhouse.close() });
    checks['clickhouse'] = () => clickhouse.ping();
    const writerOptions = {
      maxRows: config.REC_SINK_BATCH_ROWS,
      maxDelayMs: config.REC_SINK_BATCH_DELAY_MS,
      maxBufferedRows: config.REC_SINK_BATCH_ROWS * 4,
      logger,
      metrics,
    };
    const { eventsWriter, itemsWriter, failedWriter } = createSinkWriters(clickhouse, writerOptions);
    lifecycle.add({ name: 'events-writer', stop: () => eventsWriter.stop() });
    lifecycle.add({ name: 'items-writer', stop: () => itemsWriter.stop() });
    lifecycle.add({ name: 'failed-writer', stop: () => failedWriter.stop() });
    const sink = createConsumerRunner({
      kafka,
      groupId: config.REC_TOPIC_PREFIX + config.REC_SINK_GROUP_ID,
      topics: [topics.events, topics.items, topics.dlq],
      handler: createSinkHandler({ topics, eventsWriter, itemsWriter, failedWriter }),
      dlq: { producer, topic: topics.dlq },
      // Every assigned partition at once: the batch writer merges them into one insert, so a
      // fetch costs one flush delay, not one per group of partitions.
      partitionsConsumedConcurrently: 16,
      logger,
      metrics,
    });
    await sink.start();
    lifecycle.add({ name: 'sink-consumer', stop: () => sink.stop() });
    checks['sink-consumer'] = () =>
      sink.joined ? Promise.resolve() : Promise.reject(new Error('consumer has not joined its group yet'));
  }

  // The collector checks write keys and charges their rate limits in Redis.
  let auth: IntakeAuth = { mode: 'disabled' };
  if (role !== 'sink' && config.REC_INGEST_AUTH === 'required') {
    const redis = createRedis(config.REC_REDIS_URL);
    redis.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
    await redis.connect();
    lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });
    checks['redis'] = async () => void (await redis.ping());
    const store = createWriteKeyStore(redis, config.REC_REDIS_PREFIX);
    auth = {
      mode: 'required',
      keys: cacheWriteKeyLookup(store.lookup, { ttlMs: config.REC_INGEST_WRITE_KEY_CACHE_MS }),
      limiter: createRateLimiter(redis, config.REC_REDIS_PREFIX),
      ...clientLimits(config),
    };
  } else if (role !== 'sink') {
    logger.warn(
      { REC_INGEST_AUTH: config.REC_INGEST_AUTH },
      'intake authentication disabled: anyone can send, without rate limits (local development only)',
    );
  }

  const app = await buildApp({
    logger,
    metrics,
    validators: createValidators({ maxItemFutureSkewMs: config.REC_INGEST_MAX_FUTURE_SKEW_MS }),
    ...(role === 'sink'
      ? {}
      : {
          publisher: withAdmission(
            createPublisher(producer, topics),
            createAdmission(config.REC_INGEST_MAX_INFLIGHT_RECORDS, metrics),
          ),
          auth,
        }),
    checks,
    maxBodyBytes: config.REC_INGEST_MAX_BODY_BYTES,
    maxBatchEvents: config.REC_INGEST_MAX_BATCH_EVENTS,
    maxFutureSkewMs: config.REC_INGEST_MAX_FUTURE_SKEW_MS,
    maxPastAgeMs: config.REC_INGEST_MAX_PAST_AGE_MS,
    trustProxy: parseTrustProxy(config.REC_HTTP_TRUST_PROXY),
    corsOrigins: config.REC_INGEST_CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  });
  await app.listen({ host: config.REC_HTTP_HOST, port: config.REC_HTTP_PORT });
  // Intake stops first on shutdown.
  lifecycle.add({ name: 'http', stop: () => app.close() });
  logger.info({ role, port: config.REC_HTTP_PORT, topics }, 'ingest started');
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad config): report on stderr and exit non-zero.
  process.stderr.write(`ingest failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
