import {
  ConfigError,
  Type,
  clickhouseConfig,
  loadConfig as load,
  commonConfig,
  redisConfig,
  featureStoreConfig,
  httpConfig,
  kafkaConfig,
} from '@recstream/config';
import { CANDIDATE_SOURCES, ID_MAX_LENGTH, ID_PATTERN, RECOMMENDATIONS_K_LIMIT } from '@recstream/schemas';
import Value from 'typebox/value';
import { MODEL_NAME_PATTERN } from '@recstream/schemas';
import type { SourceWeights } from './pipeline/blend.js';
import { parseCategoryPath } from './pipeline/filters.js';
import type { BusinessRules, ItemMatcher } from './pipeline/rules.js';
import { DEFAULT_SETTINGS, type Flow, type PipelineSettings } from './pipeline/settings.js';

export const ServingConfigSchema = Type.Object({
  ...commonConfig,
  ...redisConfig,
  ...featureStoreConfig,
  ...httpConfig,
  ...kafkaConfig,
  ...clickhouseConfig,
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  REC_SERVING_MAX_K: Type.Integer({ minimum: 1, maximum: RECOMMENDATIONS_K_LIMIT, default: 100 }),
  /** Budget for all feature reads of one request; past it the answer degrades to the popular fallback. */
  REC_SERVING_FEATURE_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 10_000, default: 150 }),
  /** MMR trade-off between relevance (1) and variety (lower). */
  REC_SERVING_DIVERSITY_LAMBDA: Type.Number({ minimum: 0, maximum: 1, default: 0.7 }),
  REC_SERVING_EXCLUDE_PURCHASED: Type.Boolean({ default: true }),
  /** Complements: score factor for items of the cart's own categories (substitutes). */
  REC_SERVING_COMPLEMENTS_SAME_CATEGORY_FACTOR: Type.Number({ minimum: 0, maximum: 1, default: 0.2 }),
  /** Places per personalised answer (of at least 4 items) given to a new item, for exploration; 0: none. */
  REC_SERVING_EXPLORATION_SLOTS: Type.Integer({ minimum: 0, maximum: 5, default: 1 }),
  /** Days after entering the catalog (its `created_at`) during which an item counts as new. */
  REC_SERVING_NEW_ITEM_DAYS: Type.Number({ minimum: 0, maximum: 365, default: 14 }),
  /** JSON, per flow and source: `{"recommendations": {"trending": 0.5}}`; unnamed ones keep defaults. */
  REC_SERVING_SOURCE_WEIGHTS: Type.String({ default: '' }),
  /** JSON standing rules: `{"pin": [...], "boost": [{"brands": ["Acme"], "factor": 1.5}], "bury": [...], "brand_cap": 3}`. */
  REC_SERVING_RULES: Type.String({ default: '' }),
  /**
   * `required`: every API request needs a key (`pnpm serving-keys create …`) whose scope allows the
   * route, rate-limited per key through Redis (the default). `disabled`: anyone may call, nothing is
   * limited — local development only.
   */
  REC_SERVING_AUTH: Type.Enum(['required', 'disabled'], { default: 'required' }),
  /** How long an instance reuses an API-key lookup: the most a revocation takes to apply. */
  REC_SERVING_API_KEY_CACHE_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 5000 }),
  /** Largest request body (complements and batch are POSTs); larger is 413. */
  REC_SERVING_MAX_BODY_BYTES: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 64 * 1024 }),
  /** Browser origins allowed to call, comma-separated, or `*` for any; empty: no CORS headers. */
  REC_SERVING_CORS_ORIGINS: Type.String({ default: '' }),
  /** Experiments as JSON (experiments/experiment.config.ts); or a file with the same JSON: */
  REC_SERVING_EXPERIMENTS: Type.String({ default: '' }),
  REC_SERVING_EXPERIMENTS_FILE: Type.String({ default: '' }),
  /** `kafka`: every answer is logged as an impression event on the events topic; `off`: not logged. */
  REC_SERVING_IMPRESSIONS: Type.Enum(['kafka', 'off'], { default: 'kafka' }),
  /** Impressions queued or being produced, at most; beyond it they are dropped (and counted). */
  REC_SERVING_IMPRESSION_QUEUE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 20_000 }),
  /** How long a batch of impressions waits for Kafka's acknowledgement before counting as failed. */
  REC_SERVING_IMPRESSION_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
  /**
   * The trainer's model registry (its REC_MODEL_REGISTRY_DIR). Empty: no model, answers ranked by
   * the blended source scores (a warning at startup).
   */
  REC_SERVING_MODEL_DIR: Type.String({ default: '' }),
  /** The sequence model's registry name. */
  REC_SERVING_MODEL_NAME: Type.String({ pattern: MODEL_NAME_PATTERN.source, default: 'sasrec' }),
  /**
   * true: `/readyz` stays red until a version is loaded and warmed. false (demos before the first
   * training): ready without one, answers ranked by blended scores and flagged `model_unavailable`.
   */
  REC_SERVING_MODEL_REQUIRED: Type.Boolean({ default: true }),
  /** α, the model's share of a candidate's final score; the blended score has 1 − α. */
  REC_SERVING_MODEL_RANK_WEIGHT: Type.Number({ minimum: 0, maximum: 1, default: 0.7 }),
  /**
   * Candidates the nearest-item graph keeps while it searches (HNSW's ef; never fewer than asked
   * for). Larger finds more of the exact nearest items and costs more per request; the recall it
   * gets is measured at every load (`rec_serving_model_index_recall`).
   */
  REC_SERVING_MODEL_INDEX_EXPANSION: Type.Integer({ minimum: 1, maximum: 4096, default: 64 }),
  /** `kafka`: load versions announced on the models topic (hot swap); `off`: only the one live at startup (and polls). */
  REC_SERVING_MODEL_UPDATES: Type.Enum(['kafka', 'off'], { default: 'kafka' }),
  /** How often the registry's live version is re-read (a missed announcement, Kafka away); 0: never. */
  REC_SERVING_MODEL_POLL_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 60_000 }),
  /**
   * How long the global trending and popular lists one request read serve the requests after it
   * (they are the same for every shopper); 0: read on every request. Per-shopper reads never are.
   */
  REC_SERVING_SHARED_READ_WINDOW_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1000 }),
  /** How often the search index is rebuilt from the catalog in Redis; 0: built once at startup. */
  REC_SERVING_SEARCH_REFRESH_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 60_000 }),
  /** w_a: how much the shopper's category and brand affinities lift a search match (search/rerank.ts). */
  REC_SERVING_SEARCH_AFFINITY_WEIGHT: Type.Number({ minimum: 0, maximum: 10, default: 0.5 }),
  /** w_p: how much popularity lifts a search match. */
  REC_SERVING_SEARCH_POPULARITY_WEIGHT: Type.Number({ minimum: 0, maximum: 10, default: 0.2 }),
  /**
   * `clickhouse`: search suggestions are the past queries of the search log (REC_CLICKHOUSE_*);
   * `off`: words of catalog titles only.
   */
  REC_SERVING_SUGGESTIONS: Type.Enum(['clickhouse', 'off'], { default: 'clickhouse' }),
  /** Days of the search log suggestions are learned from. */
  REC_SERVING_SUGGESTIONS_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  /** Distinct past queries kept for suggestions (the most searched). */
  REC_SERVING_SUGGESTIONS_MAX: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 50_000 }),
  /** How often suggestions are reloaded from ClickHouse; 0: loaded once at startup. */
  REC_SERVING_SUGGESTIONS_REFRESH_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 300_000 }),
});

export type ServingConfig = Type.Static<typeof ServingConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): ServingConfig {
  return load(ServingConfigSchema, env);
}

const Weight = Type.Number({ minimum: 0, maximum: 100 });
const FlowWeights = Type.Object(
  Object.fromEntries(CANDIDATE_SOURCES.map((source) => [source, Type.Optional(Weight)])),
  { additionalProperties: false },
);
/** Source weights per flow (also what an experiment's variant may override). */
export const WeightsJson = Type.Object(
  {
    recommendations: Type.Optional(FlowWeights),
    similar: Type.Optional(FlowWeights),
    complements: Type.Optional(FlowWeights),
  },
  { additionalProperties: false },
);
const IdJson = Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN });
const MatcherJson = Type.Object(
  {
    item_ids: Type.Optional(Type.Array(IdJson, { minItems: 1 })),
    brands: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    categories: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    category_prefix: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const RulesJson = Type.Object(
  {
    pin: Type.Optional(Type.Array(IdJson)),
    boost: Type.Optional(
      Type.Array(
        Type.Object(
          { match: MatcherJson, factor: Type.Number({ minimum: 0 }) },
          { additionalProperties: false },
        ),
      ),
    ),
    bury: Type.Optional(Type.Array(MatcherJson)),
    brand_cap: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** Parses a JSON setting against its schema; every problem is reported, named by the variable. */
export function parseJson<T extends Type.TSchema>(
  name: string,
  text: string,
  schema: T,
): Type.Static<T> | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${name} is not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (!Value.Check(schema, value)) {
    throw new ConfigError(
      Value.Errors(schema, value).map((e) => `${name}${e.instancePath} ${e.message ?? 'is invalid'}`),
    );
  }
  return value;
}

function toMatcher(json: Type.Static<typeof MatcherJson>): ItemMatcher {
  return {
    itemIds: json.item_ids,
    brands: json.brands,
    categories: json.categories,
    categoryPrefix: json.category_prefix === undefined ? undefined : parseCategoryPath(json.category_prefix),
  };
}

/** The pipeline's settings from the validated configuration (throws ConfigError on bad JSON). */
export function pipelineSettings(config: ServingConfig): PipelineSettings {
  const weightsJson = parseJson('REC_SERVING_SOURCE_WEIGHTS', config.REC_SERVING_SOURCE_WEIGHTS, WeightsJson);
  const rulesJson = parseJson('REC_SERVING_RULES', config.REC_SERVING_RULES, RulesJson);
  const flowWeights = (flow: Flow): SourceWeights => ({
    ...DEFAULT_SETTINGS.weights[flow],
    ...(weightsJson?.[flow] as Partial<SourceWeights> | undefined),
  });
  const rules: BusinessRules = {
    pin: rulesJson?.pin,
    boost: rulesJson?.boost?.map((b) => ({ match: toMatcher(b.match), factor: b.factor })),
    bury: rulesJson?.bury?.map(toMatcher),
    brandCap: rulesJson?.brand_cap,
  };
  return {
    featureTimeoutMs: config.REC_SERVING_FEATURE_TIMEOUT_MS,
    diversityLambda: config.REC_SERVING_DIVERSITY_LAMBDA,
    excludePurchased: config.REC_SERVING_EXCLUDE_PURCHASED,
    complementsSameCategoryFactor: config.REC_SERVING_COMPLEMENTS_SAME_CATEGORY_FACTOR,
    exploration: {
      slots: config.REC_SERVING_EXPLORATION_SLOTS,
      newItemMs: config.REC_SERVING_NEW_ITEM_DAYS * 24 * 3_600_000,
    },
    weights: {
      recommendations: flowWeights('recommendations'),
      similar: flowWeights('similar'),
      complements: flowWeights('complements'),
    },
    rules,
  };
}
