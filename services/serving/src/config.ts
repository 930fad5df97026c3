import { Type, loadConfig as load, commonConfig, redisConfig, httpConfig } from '@recstream/config';

export const ServingConfigSchema = Type.Object({
  ...commonConfig,
  ...redisConfig,
  ...httpConfig,
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  REC_SERVING_MAX_K: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

export type ServingConfig = Type.Static<typeof ServingConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): ServingConfig {
  return load(ServingConfigSchema, env);
}
