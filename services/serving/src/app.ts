/** The serving HTTP app, built from explicit dependencies; never listens (tests use inject). */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createHttpService, type ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { createApiGuard, type ApiAuth } from './auth/api-key.guard.js';
import { CatalogMirror } from './catalog/catalog-mirror.js';
import type { ExperimentSpec } from './experiments/experiment.config.js';
import { createExperiments } from './experiments/experiments.js';
import type { ImpressionLog } from './impressions/impression-log.js';
import type { LiveModel } from './models/live-model.js';
import type { ModelMetrics } from './models/model-metrics.js';
import { createSequenceRanker } from './models/sequence-ranker.js';
import { sequenceAnnSource } from './pipeline/candidates/sequence-ann.js';
import { redisFeatureReader, type SharedReadState } from './pipeline/feature-reader.js';
import { PopularFallback } from './pipeline/fallback.js';
import { createPipelineMetrics } from './pipeline/metrics.js';
import { createRecommender } from './pipeline/pipeline.js';
import { SharedReads } from './pipeline/shared-reads.js';
import { blendedScoreRanker, type Ranker } from './pipeline/ranker.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from './pipeline/settings.js';
import { registerAdminRoutes } from './routes/admin.route.js';
import type { AnswerDeps } from './routes/answer.js';
import { registerBatchRoute } from './routes/batch.route.js';
import { registerComplementsRoute } from './routes/complements.route.js';
import { registerPopularRoute } from './routes/popular.route.js';
import { registerRecommendationsRoute } from './routes/recommendations.route.js';
import { registerSearchRoutes } from './routes/search.route.js';
import { registerSimilarRoute } from './routes/similar.route.js';
import { createSearcher } from './search/searcher.js';
import { createSearchMetrics } from './search/search-metrics.js';
import { DEFAULT_RERANK_WEIGHTS } from './search/rerank.js';
import type { SearchServices } from './search/search-service.js';

/** The default request body limit: a full batch or cart is a few KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface ServingAppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  /** The feature store's Redis (REC_FEATURE_REDIS_URL): features, catalog, popularity. */
  redis: Redis;
  redisPrefix: string;
  maxK: number;
  checks: Record<string, ReadinessCheck>;
  /** Defaults to DEFAULT_SETTINGS (what an empty environment configures). */
  settings?: PipelineSettings;
  /**
   * The served sequence model: it ranks by default (blended scores weigh 1 − `rankWeight`) and
   * proposes nearest-neighbour candidates; `/readyz` reports its version. Absent: no model at all.
   */
  model?: { live: LiveModel; metrics: ModelMetrics; rankWeight: number };
  /** Defaults to the model's ranker when there is a model, else ranking by the blended source scores. */
  ranker?: Ranker;
  /** Further rankers experiments' variants may name (the default ranker is always known). */
  rankers?: ReadonlyMap<string, Ranker>;
  /** Experiments to run; none by default. */
  experiments?: readonly ExperimentSpec[];
  /** Where answers are logged as impressions; not logged when absent. */
  impressions?: ImpressionLog;
  /** API keys; disabled (anyone may call) when absent. */
  auth?: ApiAuth;
  /** Browser origins allowed cross-origin; `['*']` for any; none when absent or empty. */
  corsOrigins?: readonly string[];
  maxBodyBytes?: number;
  /**
   * The in-memory catalog (the service loads it before it listens); made here, and loaded by the
   * first request that needs it, when absent.
   */
  catalog?: CatalogMirror;
  /** Search index and suggestions (`/v1/search`); the search routes are absent without them. */
  search?: SearchServices;
  /**
   * How long the global trending and popular lists read by one request serve the next ones
   * (shared-reads.ts); 0 (the default here) reads them on every request.
   */
  sharedReadWindowMs?: number;
  /** Request time; tests pin it to the time their events were written at. */
  clock?: () => number;
  /** Draws exploration slots; tests pin it. */
  random?: () => number;
}

export async function buildApp(deps: ServingAppDeps): Promise<FastifyInstance> {
  const model = deps.model;
  const app = await createHttpService({
    logger: deps.logger,
    title: 'recstream serving',
    version: '1.0.0',
    description: 'Ranked product recommendations and personalised search.',
    health: {
      registry: deps.metrics.registry,
      checks: model === undefined ? deps.checks : { ...deps.checks, model: () => model.live.readiness() },
    },
    metrics: deps.metrics,
    bodyLimit: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  if (deps.corsOrigins !== undefined && deps.corsOrigins.length > 0) {
    const origins = deps.corsOrigins;
    await app.register(cors, {
      origin: origins.includes('*') ? true : [...origins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key'],
      exposedHeaders: ['retry-after'],
      maxAge: 86_400,
    });
  }

  // One set of pipeline metrics and one fallback for every variant's recommender.
  const pipelineMetrics = createPipelineMetrics(deps.metrics);
  const fallback = new PopularFallback();
  // With a model, its ranker is the default and `blended` stays selectable by experiments.
  const rankers = new Map<string, Ranker>(deps.rankers ?? []);
  let defaultRanker = deps.ranker ?? blendedScoreRanker;
  if (model !== undefined) {
    const modelRanker = createSequenceRanker({
      live: model.live,
      modelWeight: model.rankWeight,
      metrics: model.metrics,
      logger: deps.logger,
    });
    rankers.set(modelRanker.name, modelRanker);
    rankers.set(blendedScoreRanker.name, blendedScoreRanker);
    defaultRanker = deps.ranker ?? modelRanker;
  }
  const subjectSources = model === undefined ? [] : [sequenceAnnSource(model.live)];
  const catalog =
    deps.catalog ??
    new CatalogMirror({
      redis: deps.redis,
      redisPrefix: deps.redisPrefix,
      logger: deps.logger,
      metrics: deps.metrics,
    });
  const shared: SharedReadState = {
    catalog,
    globalLists: new SharedReads(deps.sharedReadWindowMs ?? 0),
  };
  const experiments = createExperiments({
    specs: deps.experiments ?? [],
    settings: deps.settings ?? DEFAULT_SETTINGS,
    ranker: defaultRanker,
    ...(rankers.size === 0 ? {} : { rankers }),
    metrics: deps.metrics,
    recommender: (settings, ranker) =>
      createRecommender({
        features: (nowMs) => redisFeatureReader(deps.redis, deps.redisPrefix, nowMs, shared),
        newArrivals: (nowMs) => catalog.newArrivals(nowMs, settings.exploration.newItemMs),
        ...(deps.random === undefined ? {} : { random: deps.random }),
        ranker,
        subjectSources,
        settings,
        metrics: pipelineMetrics,
        fallback,
        logger: deps.logger,
        ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      }),
  });
  const answerDeps: AnswerDeps = {
    experiments,
    impressions: deps.impressions,
    maxK: deps.maxK,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  };
  const search = deps.search;
  const searcher =
    search === undefined
      ? undefined
      : createSearcher({
          index: () => search.index.current(),
          redis: deps.redis,
          redisPrefix: deps.redisPrefix,
          featureTimeoutMs: (deps.settings ?? DEFAULT_SETTINGS).featureTimeoutMs,
          weights: search.weights ?? DEFAULT_RERANK_WEIGHTS,
          metrics: createSearchMetrics(deps.metrics),
          logger: deps.logger,
          ...(deps.clock === undefined ? {} : { clock: deps.clock }),
        });
  const guard = createApiGuard({ auth: deps.auth ?? { mode: 'disabled' }, metrics: deps.metrics });

  // Each scope gets its guard's hooks and nothing else: health, metrics and OpenAPI stay open.
  await app.register((read, _options, done) => {
    // A campaign batch costs one request per shopper in it.
    guard.protect(read, 'read', (request) => {
      const body = request.body as { requests?: unknown } | undefined;
      return Array.isArray(body?.requests) ? body.requests.length : 1;
    });
    registerPopularRoute(read, {
      redis: deps.redis,
      redisPrefix: deps.redisPrefix,
      maxK: deps.maxK,
      impressions: deps.impressions,
      clock: deps.clock,
    });
    registerRecommendationsRoute(read, answerDeps);
    registerSimilarRoute(read, answerDeps);
    registerComplementsRoute(read, answerDeps);
    registerBatchRoute(read, answerDeps);
    if (search !== undefined && searcher !== undefined)
      registerSearchRoutes(read, {
        search,
        searcher,
        maxK: deps.maxK,
        impressions: deps.impressions,
        clock: deps.clock,
      });
    done();
  });
  await app.register((admin, _options, done) => {
    guard.protect(admin, 'admin');
    registerAdminRoutes(admin, { experiments });
    done();
  });
  return app;
}
