/**
 * Serving's wiring, done once: from the clients and settings index.ts builds (tests pass their
 * own), the pipeline of every experiment arm (rankers, candidate sources, fallback, metrics), the
 * experiments, the searcher and the API guard. The result is what buildApp (app.ts) puts behind
 * HTTP routes; nothing here listens or connects.
 */
import type { Redis } from 'ioredis';
import type { ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { createApiGuard, type ApiAuth, type ApiGuard } from './auth/api-key.guard.js';
import { CatalogMirror } from './catalog/catalog-mirror.js';
import type { ExperimentSpec } from './experiments/experiment.config.js';
import { createExperiments, type Experiments } from './experiments/experiments.js';
import type { ImpressionLog } from './impressions/impression-log.js';
import type { LiveModel } from './models/live-model.js';
import type { ModelMetrics } from './models/model-metrics.js';
import { sequenceAnnSource } from './models/sequence-ann.source.js';
import { createSequenceRanker } from './models/sequence-ranker.js';
import { redisFeatureReader, type SharedReadState } from './pipeline/feature-reader.js';
import { PopularFallback } from './pipeline/fallback.js';
import { createRecommender } from './pipeline/flows/recommender.js';
import { createPipelineMetrics } from './pipeline/metrics.js';
import { blendedScoreRanker, type Ranker } from './pipeline/ranker.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from './pipeline/settings.js';
import { SharedReads } from './pipeline/shared-reads.js';
import type { AnswerDeps } from './routes/answer.js';
import { DEFAULT_RERANK_WEIGHTS } from './search/rerank.js';
import { createSearchMetrics } from './search/search-metrics.js';
import type { SearchServices } from './search/search-service.js';
import { createSearcher, type Searcher } from './search/searcher.js';

/** The default request body limit: a full batch or cart is a few KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface ServingDeps {
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

/** The ready parts the HTTP app is built from (buildApp). */
export interface ServingParts {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Readiness checks, the model's included. */
  readonly checks: Record<string, ReadinessCheck>;
  readonly corsOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly guard: ApiGuard;
  /** What the recommendation routes answer with. */
  readonly answers: AnswerDeps;
  readonly experiments: Experiments;
  /** The search routes' parts; absent without search. */
  readonly search?: { readonly services: SearchServices; readonly searcher: Searcher } | undefined;
}

export function composeServing(deps: ServingDeps): ServingParts {
  const model = deps.model;
  const settings = deps.settings ?? DEFAULT_SETTINGS;
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
    settings,
    ranker: defaultRanker,
    ...(rankers.size === 0 ? {} : { rankers }),
    metrics: deps.metrics,
    recommender: (variantSettings, ranker) =>
      createRecommender({
        features: (nowMs) => redisFeatureReader(deps.redis, deps.redisPrefix, nowMs, shared),
        newArrivals: (nowMs) => catalog.newArrivals(nowMs, variantSettings.exploration.newItemMs),
        ...(deps.random === undefined ? {} : { random: deps.random }),
        ranker,
        subjectSources,
        settings: variantSettings,
        metrics: pipelineMetrics,
        fallback,
        logger: deps.logger,
        ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      }),
  });
  const search = deps.search;
  return {
    logger: deps.logger,
    metrics: deps.metrics,
    checks: model === undefined ? deps.checks : { ...deps.checks, model: () => model.live.readiness() },
    corsOrigins: deps.corsOrigins ?? [],
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    guard: createApiGuard({ auth: deps.auth ?? { mode: 'disabled' }, metrics: deps.metrics }),
    answers: {
      experiments,
      impressions: deps.impressions,
      maxK: deps.maxK,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    },
    experiments,
    search:
      search === undefined
        ? undefined
        : {
            services: search,
            searcher: createSearcher({
              index: () => search.index.current(),
              redis: deps.redis,
              redisPrefix: deps.redisPrefix,
              featureTimeoutMs: settings.featureTimeoutMs,
              weights: search.weights ?? DEFAULT_RERANK_WEIGHTS,
              metrics: createSearchMetrics(deps.metrics),
              logger: deps.logger,
              ...(deps.clock === undefined ? {} : { clock: deps.clock }),
            }),
          },
  };
}
