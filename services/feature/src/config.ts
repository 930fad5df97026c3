import {
  Type,
  loadConfig as load,
  commonConfig,
  kafkaConfig,
  redisConfig,
  httpConfig,
} from '@recstream/config';

export const FeatureConfigSchema = Type.Object({
  ...commonConfig,
  ...kafkaConfig,
  ...redisConfig,
  ...httpConfig,
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003 }),
  REC_FEATURE_GROUP_ID: Type.String({ default: 'rec-feature' }),
});

export type FeatureConfig = Type.Static<typeof FeatureConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): FeatureConfig {
  return load(FeatureConfigSchema, env);
}
