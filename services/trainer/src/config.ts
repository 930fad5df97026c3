import {
  Type,
  loadConfig as load,
  commonConfig,
  kafkaConfig,
  clickhouseConfig,
  redisConfig,
  httpConfig,
} from '@recstream/config';

export const TrainerConfigSchema = Type.Object({
  ...commonConfig,
  ...kafkaConfig,
  ...clickhouseConfig,
  ...redisConfig,
  ...httpConfig,
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3004 }),
  /** Where model versions are stored (the registry's filesystem backend). */
  REC_MODEL_REGISTRY_DIR: Type.String({ default: '.local/models' }),
  /** How often the popularity baseline is retrained from the log. */
  REC_TRAIN_POPULARITY_EVERY_MS: Type.Integer({ minimum: 1000, default: 5 * 60 * 1000 }),
  /** The log window the popularity baseline learns from. */
  REC_TRAIN_POPULARITY_WINDOW_HOURS: Type.Integer({ minimum: 1, default: 7 * 24 }),
  REC_TRAIN_POPULARITY_TOP_N: Type.Integer({ minimum: 1, default: 1000 }),
});

export type TrainerConfig = Type.Static<typeof TrainerConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): TrainerConfig {
  return load(TrainerConfigSchema, env);
}
