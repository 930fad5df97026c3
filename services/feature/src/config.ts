import {
  Type,
  loadConfig as load,
  commonConfig,
  kafkaConfig,
  clickhouseConfig,
  redisConfig,
  featureStoreConfig,
  httpConfig,
} from '@recstream/config';

export const FeatureConfigSchema = Type.Object({
  ...commonConfig,
  ...kafkaConfig,
  ...clickhouseConfig,
  ...redisConfig,
  ...featureStoreConfig,
  ...httpConfig,
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003 }),
  REC_FEATURE_GROUP_ID: Type.String({ default: 'rec-feature' }),
  /** Events that reached ingest later than this after they happened are counted, not applied. */
  // 15 min: the seen-id window must cover it (bounds.ts), and its memory grows with it (~145 MB
  // per 1,000 events/s at 15 min, ~400 MB at 1 h). Later events still reach ClickHouse.
  REC_FEATURE_MAX_LATENESS_MS: Type.Integer({ minimum: 0, default: 15 * 60 * 1000 }),
  /** How often category top lists take in the popularity applied since (store/category-tops.ts). */
  REC_FEATURE_CATEGORY_REFRESH_MS: Type.Integer({ minimum: 10, default: 1_000 }),
});

export type FeatureConfig = Type.Static<typeof FeatureConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): FeatureConfig {
  return load(FeatureConfigSchema, env);
}
