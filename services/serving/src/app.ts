/** The serving HTTP app, built from explicit dependencies; never listens (tests use inject). */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createHttpService, type ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { registerPopularRoute } from './routes/popular.route.js';

export async function buildApp(deps: {
  logger: Logger;
  metrics: ServiceMetrics;
  redis: Redis;
  redisPrefix: string;
  maxK: number;
  checks: Record<string, ReadinessCheck>;
}): Promise<FastifyInstance> {
  const app = await createHttpService({
    logger: deps.logger,
    title: 'recstream serving',
    version: '1.0.0',
    description: 'Ranked product recommendations.',
    health: { registry: deps.metrics.registry, checks: deps.checks },
    metrics: deps.metrics,
  });
  registerPopularRoute(app, deps);
  return app;
}
