/** The serving HTTP app, built from explicit dependencies; never listens (tests use inject). */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createHttpService, type ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { redisFeatureReader } from './pipeline/feature-reader.js';
import { PopularFallback } from './pipeline/fallback.js';
import { createPipelineMetrics } from './pipeline/metrics.js';
import { createRecommender } from './pipeline/pipeline.js';
import { blendedScoreRanker, type Ranker } from './pipeline/ranker.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from './pipeline/settings.js';
import { registerBatchRoute } from './routes/batch.route.js';
import { registerComplementsRoute } from './routes/complements.route.js';
import { registerPopularRoute } from './routes/popular.route.js';
import { registerRecommendationsRoute } from './routes/recommendations.route.js';
import { registerSimilarRoute } from './routes/similar.route.js';

export async function buildApp(deps: {
  logger: Logger;
  metrics: ServiceMetrics;
  redis: Redis;
  redisPrefix: string;
  maxK: number;
  checks: Record<string, ReadinessCheck>;
  /** Defaults to DEFAULT_SETTINGS (what an empty environment configures). */
  settings?: PipelineSettings;
  /** Defaults to ranking by the blended source scores. */
  ranker?: Ranker;
  /** Request time; tests pin it to the time their events were written at. */
  clock?: () => number;
}): Promise<FastifyInstance> {
  const app = await createHttpService({
    logger: deps.logger,
    title: 'recstream serving',
    version: '1.0.0',
    description: 'Ranked product recommendations.',
    health: { registry: deps.metrics.registry, checks: deps.checks },
    metrics: deps.metrics,
  });
  const recommender = createRecommender({
    features: (nowMs) => redisFeatureReader(deps.redis, deps.redisPrefix, nowMs),
    ranker: deps.ranker ?? blendedScoreRanker,
    settings: deps.settings ?? DEFAULT_SETTINGS,
    metrics: createPipelineMetrics(deps.metrics),
    fallback: new PopularFallback(),
    logger: deps.logger,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  });
  const routeDeps = { recommender, maxK: deps.maxK };
  registerPopularRoute(app, deps);
  registerRecommendationsRoute(app, routeDeps);
  registerSimilarRoute(app, routeDeps);
  registerComplementsRoute(app, routeDeps);
  registerBatchRoute(app, routeDeps);
  return app;
}
