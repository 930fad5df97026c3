/** Composition root of the serving service: config → clients → HTTP → signals. */
import { createLifecycle } from '@recstream/lifecycle';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createRedis } from '@recstream/redis';
import { buildApp } from './app.js';
import { loadConfig, pipelineSettings } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const settings = pipelineSettings(config);
  const logger = createLogger({ service: 'serving', level: config.REC_LOG_LEVEL });
  const metrics = createMetrics('serving');
  const lifecycle = createLifecycle({ logger, deadlineMs: config.REC_SHUTDOWN_DEADLINE_MS });
  lifecycle.handleSignals();

  // Not auto-pipelined: ioredis's auto-pipelining breaks the readers' scripts (defineCommand).
  // Reads issued together still overlap on the one connection: a stage costs one round trip.
  const redis = createRedis(config.REC_REDIS_URL);
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
  await redis.connect();
  lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });

  const app = await buildApp({
    logger,
    metrics,
    redis,
    redisPrefix: config.REC_REDIS_PREFIX,
    maxK: config.REC_SERVING_MAX_K,
    settings,
    checks: { redis: async () => void (await redis.ping()) },
  });
  await app.listen({ host: config.REC_HTTP_HOST, port: config.REC_HTTP_PORT });
  lifecycle.add({ name: 'http', stop: () => app.close() });
  logger.info({ port: config.REC_HTTP_PORT }, 'serving started');
}

main().catch((err: unknown) => {
  process.stderr.write(`serving failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
