import {
  Type,
  loadConfig as load,
  commonConfig,
  kafkaConfig,
  clickhouseConfig,
  redisConfig,
  httpConfig,
} from '@recstream/config';
import type { SequenceSettings } from './jobs/sequence-settings.js';

const MINUTE = 60_000;

export const TrainerConfigSchema = Type.Object({
  ...commonConfig,
  ...kafkaConfig,
  ...clickhouseConfig,
  ...redisConfig,
  ...httpConfig,
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3004 }),
  /** Where model versions are stored (the registry's filesystem backend). */
  REC_MODEL_REGISTRY_DIR: Type.String({ default: '.local/models' }),
  /** Versions kept per model (besides live, pinned, head and recent rollback targets). */
  REC_MODEL_REGISTRY_KEEP: Type.Integer({ minimum: 1, default: 50 }),
  /** How often the popularity baseline is retrained from the log. */
  REC_TRAIN_POPULARITY_EVERY_MS: Type.Integer({ minimum: 1000, default: 5 * MINUTE }),
  /** The log window the popularity baseline learns from. */
  REC_TRAIN_POPULARITY_WINDOW_HOURS: Type.Integer({ minimum: 1, default: 7 * 24 }),
  REC_TRAIN_POPULARITY_TOP_N: Type.Integer({ minimum: 1, default: 1000 }),

  /** Registry name of the sequence model this trainer keeps learning. */
  REC_TRAIN_MODEL: Type.String({ default: 'sasrec', pattern: '^[a-z][a-z0-9-]{0,63}$' }),
  /** Incremental update every this often (0: only on new events)… */
  REC_TRAIN_INCREMENTAL_EVERY_MS: Type.Integer({ minimum: 0, default: 5 * MINUTE }),
  /** …or as soon as this many new interaction events are waiting (0: only on the schedule). */
  REC_TRAIN_INCREMENTAL_AFTER_EVENTS: Type.Integer({ minimum: 0, default: 5000 }),
  /** How often the new-events count is polled. */
  REC_TRAIN_TRIGGER_POLL_MS: Type.Integer({ minimum: 100, default: 15_000 }),
  /** Full training from scratch every this often (0: only on demand or when no version exists). */
  REC_TRAIN_FULL_EVERY_MS: Type.Integer({ minimum: 0, default: 24 * 60 * MINUTE }),
  /** Evaluation of the live version (drift alert) every this often (0: off). */
  REC_TRAIN_EVALUATE_EVERY_MS: Type.Integer({ minimum: 0, default: 15 * MINUTE }),
  REC_TRAIN_MAX_BATCH_EVENTS: Type.Integer({ minimum: 1, default: 20_000 }),
  REC_TRAIN_MAX_FULL_EVENTS: Type.Integer({ minimum: 1, default: 2_000_000 }),
  REC_TRAIN_HOLDOUT_FRACTION: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.1 }),
  REC_TRAIN_REPLAY_USERS: Type.Integer({ minimum: 0, default: 256 }),
  REC_TRAIN_EPOCHS: Type.Integer({ minimum: 1, default: 2 }),
  REC_TRAIN_SEED: Type.Integer({ minimum: 0, default: 42 }),
  /** Full-training hyper-parameters (an incremental update keeps its parent's). */
  REC_TRAIN_HIDDEN_DIM: Type.Integer({ minimum: 1, default: 64 }),
  REC_TRAIN_MAX_LENGTH: Type.Integer({ minimum: 1, default: 50 }),
  REC_TRAIN_BLOCKS: Type.Integer({ minimum: 1, default: 2 }),
  REC_TRAIN_NEGATIVES: Type.Integer({ minimum: 1, default: 512 }),
  REC_TRAIN_FULL_MAX_EPOCHS: Type.Integer({ minimum: 1, default: 30 }),
  /** Largest allowed drop of held-out HR@10 / NDCG@10 against the live version (absolute). */
  REC_GUARDRAIL_TOLERANCE: Type.Number({ minimum: 0, default: 0.01 }),
  /** Fewer held-out cases than this: the candidate is held, not judged. */
  REC_GUARDRAIL_MIN_CASES: Type.Integer({ minimum: 0, default: 50 }),
  /** Drop of the live version's held-out metrics since publishing that raises the drift alert. */
  REC_GUARDRAIL_DRIFT_BOUND: Type.Number({ minimum: 0, default: 0.05 }),
  REC_TRAIN_JOB_ATTEMPTS: Type.Integer({ minimum: 1, default: 5 }),
  REC_TRAIN_JOB_BACKOFF_MS: Type.Integer({ minimum: 1, default: 2000 }),
  /** A model lock not renewed for this long is free (its holder died). */
  REC_TRAIN_LOCK_TTL_MS: Type.Integer({ minimum: 1000, default: 10 * MINUTE }),
});

export type TrainerConfig = Type.Static<typeof TrainerConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): TrainerConfig {
  return load(TrainerConfigSchema, env);
}

/** The sequence model's job settings from the configuration. */
export function sequenceSettings(config: TrainerConfig): SequenceSettings {
  return {
    model: config.REC_TRAIN_MODEL,
    maxBatchEvents: config.REC_TRAIN_MAX_BATCH_EVENTS,
    maxFullTrainEvents: config.REC_TRAIN_MAX_FULL_EVENTS,
    holdoutFraction: config.REC_TRAIN_HOLDOUT_FRACTION,
    replayUsers: config.REC_TRAIN_REPLAY_USERS,
    epochs: config.REC_TRAIN_EPOCHS,
    hyper: {
      hiddenDim: config.REC_TRAIN_HIDDEN_DIM,
      maxLength: config.REC_TRAIN_MAX_LENGTH,
      blocks: config.REC_TRAIN_BLOCKS,
      negatives: config.REC_TRAIN_NEGATIVES,
      maxEpochs: config.REC_TRAIN_FULL_MAX_EPOCHS,
      useAttributes: false,
    },
    guardrail: { tolerance: config.REC_GUARDRAIL_TOLERANCE, minCases: config.REC_GUARDRAIL_MIN_CASES },
    driftBound: config.REC_GUARDRAIL_DRIFT_BOUND,
    seed: config.REC_TRAIN_SEED,
  };
}
