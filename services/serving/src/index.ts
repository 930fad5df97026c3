/** Composition root of the serving service: config → clients → wiring (compose.ts) → HTTP → signals. */
import { createClickHouse } from '@recstream/clickhouse';
import { clickhouseConnection, featureRedisUrl } from '@recstream/config';
import { connectKafka, type KafkaClients } from '@recstream/kafka';
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { loadTensorFlow } from '@recstream/models';
import { createRedis, type Redis } from '@recstream/redis';
import { createValidators, topicName } from '@recstream/schemas';
import { buildApp } from './app.js';
import { composeServing } from './compose.js';
import { cacheApiKeyLookup, createApiKeyStore, createRateLimiter, type ApiAuth } from './auth/index.js';
import { loadConfig, pipelineSettings } from './config.js';
import { loadExperiments } from './experiments/experiment.config.js';
import { createImpressionLog, type ImpressionLog } from './impressions/impression-log.js';
import { startModelService, type ModelService } from './models/model-service.js';
import { instanceGroupId } from './models/model-updates.consumer.js';
import { CatalogMirror } from './catalog/catalog-mirror.js';
import { createSearchIndex, createSearchLog, type SearchServices } from './search/index.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const settings = pipelineSettings(config);
  const experiments = loadExperiments(config);
  const logger = createLogger({ service: 'serving', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('serving');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();

  // Two Redis roles, one connection each (the same server unless REC_FEATURE_REDIS_URL is set): the
  // feature store, read by every answer, and the durable Redis holding API keys and rate limits.
  // Not auto-pipelined: ioredis sends a connection's next automatic pipeline only once the last
  // one answered, which queues every request behind the slowest round trip (measured: p99 up from
  // ~50 to 100+ ms at 300 requests/s). Reads issued together still overlap on the one connection.
  const connectRedis = async (name: string, url: string): Promise<Redis> => {
    const connection = createRedis(url);
    connection.on('error', (err: unknown) => logger.warn({ err, redis: name }, 'redis connection error'));
    await connection.connect();
    lifecycle.add({ name, stop: async () => void (await connection.quit()) });
    return connection;
  };
  const featureRedis = await connectRedis('feature store redis', featureRedisUrl(config));
  const authRedis =
    config.REC_SERVING_AUTH === 'required' ? await connectRedis('redis', config.REC_REDIS_URL) : undefined;

  const modelOn = config.REC_SERVING_MODEL_DIR !== '';
  const followAnnouncements = modelOn && config.REC_SERVING_MODEL_UPDATES === 'kafka';
  let kafka: KafkaClients | undefined;
  if (config.REC_SERVING_IMPRESSIONS === 'kafka' || followAnnouncements) {
    kafka = await connectKafka({
      brokers: config.REC_KAFKA_BROKERS,
      compression: config.REC_KAFKA_COMPRESSION,
      clientId: 'serving',
      logger,
      metrics,
      topicPrefix: config.REC_TOPIC_PREFIX,
      produceTimeoutMs: config.REC_SERVING_IMPRESSION_TIMEOUT_MS,
    });
    lifecycle.add({ name: 'kafka', stop: kafka.stop });
  }

  // Impressions go to the events topic with the product's producer (idempotent, acks=all). Kafka is
  // not part of readiness: while it is away answers go on, and their impressions count as failed.
  let impressions: ImpressionLog | undefined;
  if (config.REC_SERVING_IMPRESSIONS === 'kafka' && kafka !== undefined) {
    const log = createImpressionLog({
      producer: kafka.producer,
      topic: topicName('events', config.REC_TOPIC_PREFIX),
      validators: createValidators(),
      metrics,
      logger,
      maxPending: config.REC_SERVING_IMPRESSION_QUEUE,
    });
    lifecycle.add({ name: 'impressions', stop: () => log.drain() });
    impressions = log;
  } else {
    logger.warn(
      'impression logging off (REC_SERVING_IMPRESSIONS=off): clicks cannot be attributed to answers',
    );
  }

  // The sequence model: loaded from the registry in the background (`/readyz` waits for it), then
  // swapped whenever a version is announced. Without REC_SERVING_MODEL_DIR, blended ranking only.
  let model: ModelService | undefined;
  if (modelOn) {
    const service = await startModelService({
      registryDir: config.REC_SERVING_MODEL_DIR,
      model: config.REC_SERVING_MODEL_NAME,
      required: config.REC_SERVING_MODEL_REQUIRED,
      indexExpansion: config.REC_SERVING_MODEL_INDEX_EXPANSION,
      tf: loadTensorFlow,
      logger,
      metrics,
      updates:
        followAnnouncements && kafka !== undefined
          ? {
              kafka: kafka.kafka,
              topic: topicName('modelsPublished', config.REC_TOPIC_PREFIX),
              groupId: instanceGroupId(config.REC_TOPIC_PREFIX),
            }
          : undefined,
      pollMs: config.REC_SERVING_MODEL_POLL_MS,
    });
    lifecycle.add({ name: 'model', stop: () => service.stop() });
    model = service;
  } else {
    logger.warn('no model registry (REC_SERVING_MODEL_DIR): answers are ranked by blended source scores');
  }

  // The catalog is loaded into memory before listening; requests keep it current.
  const catalog = new CatalogMirror({
    redis: featureRedis,
    redisPrefix: config.REC_REDIS_PREFIX,
    logger,
    metrics,
  });
  await catalog.settle();
  logger.info({ items: catalog.count }, 'catalog loaded');

  // Search: the catalog index is built before listening (an empty catalog is fine: searches are
  // answered with popular items), then rebuilt in the background; suggestions likewise from the
  // search log in ClickHouse, which is not part of readiness (without it: catalog words).
  const searchIndex = createSearchIndex({
    catalog,
    refreshMs: config.REC_SERVING_SEARCH_REFRESH_MS,
    logger,
    metrics,
  });
  await searchIndex.refresh();
  searchIndex.start();
  lifecycle.add({ name: 'search index', stop: () => searchIndex.stop() });
  let searchLog: SearchServices['searchLog'];
  if (config.REC_SERVING_SUGGESTIONS === 'clickhouse') {
    const clickhouse = createClickHouse(clickhouseConnection(config));
    lifecycle.add({ name: 'clickhouse', stop: () => clickhouse.close() });
    const log = createSearchLog({
      clickhouse,
      windowDays: config.REC_SERVING_SUGGESTIONS_DAYS,
      maxQueries: config.REC_SERVING_SUGGESTIONS_MAX,
      refreshMs: config.REC_SERVING_SUGGESTIONS_REFRESH_MS,
      logger,
      metrics,
    });
    // Not awaited: a slow or absent ClickHouse must not hold up startup.
    void log.refresh();
    log.start();
    lifecycle.add({ name: 'search suggestions', stop: () => log.stop() });
    searchLog = log;
  }
  const search: SearchServices = {
    index: searchIndex,
    searchLog,
    weights: {
      affinity: config.REC_SERVING_SEARCH_AFFINITY_WEIGHT,
      popularity: config.REC_SERVING_SEARCH_POPULARITY_WEIGHT,
    },
  };

  let auth: ApiAuth = { mode: 'disabled' };
  if (authRedis !== undefined) {
    auth = {
      mode: 'required',
      keys: cacheApiKeyLookup(createApiKeyStore(authRedis, config.REC_REDIS_PREFIX).lookup, {
        ttlMs: config.REC_SERVING_API_KEY_CACHE_MS,
      }),
      limiter: createRateLimiter(authRedis, config.REC_REDIS_PREFIX),
    };
  } else {
    logger.warn(
      { REC_SERVING_AUTH: config.REC_SERVING_AUTH },
      'API authentication disabled: anyone can call, without rate limits (local development only)',
    );
  }

  // Wired once (compose.ts: pipeline, experiments, search, guard), then put behind HTTP.
  const parts = composeServing({
    logger,
    metrics,
    redis: featureRedis,
    redisPrefix: config.REC_REDIS_PREFIX,
    maxK: config.REC_SERVING_MAX_K,
    settings,
    experiments,
    ...(impressions === undefined ? {} : { impressions }),
    auth,
    corsOrigins: config.REC_SERVING_CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    maxBodyBytes: config.REC_SERVING_MAX_BODY_BYTES,
    sharedReadWindowMs: config.REC_SERVING_SHARED_READ_WINDOW_MS,
    ...(model === undefined
      ? {}
      : {
          model: {
            live: model.live,
            metrics: model.metrics,
            rankWeight: config.REC_SERVING_MODEL_RANK_WEIGHT,
          },
        }),
    checks: {
      // `redis` is the feature store's: without it no answer can be personalised.
      redis: async () => void (await featureRedis.ping()),
      ...(authRedis === undefined ? {} : { keys_redis: async () => void (await authRedis.ping()) }),
    },
    catalog,
    search,
  });
  const app = await buildApp(parts);
  await app.listen({ host: config.REC_HTTP_HOST, port: config.REC_HTTP_PORT });
  // Stopped first (added last): no new answers, then their impressions drain, then the clients.
  lifecycle.add({ name: 'http', stop: () => app.close() });
  logger.info({ port: config.REC_HTTP_PORT, experiments: experiments.map((e) => e.name) }, 'serving started');
}

main().catch((err: unknown) => {
  process.stderr.write(`serving failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
