/**
 * Every model the harness can evaluate, by the name used on the command line and in reports. A
 * new model is one entry: a factory that trains on the split's training sequences and returns a
 * Recommender. Factories validate their own hyperparameters (`ctx.hyperparameters`, from the
 * protocol's defaults and `--set` overrides), so a typo fails before any training starts.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { BPR_DEFAULTS, trainBpr, type BprOptions } from '../baselines/bpr.js';
import { ITEM_KNN_DEFAULTS, trainItemKnn, type ItemKnnOptions } from '../baselines/item-knn.js';
import { trainPopularity } from '../baselines/popularity.js';
import {
  TWO_STAGE_DEFAULTS,
  splitTwoStageOptions,
  type TwoStageFlatOptions,
} from '../ranking/two-stage-options.js';
import { trainTwoStage } from '../ranking/two-stage.js';
import {
  DEFAULT_SEQUENCE_HYPER_PARAMETERS,
  trainSequenceModel,
  type EvalCase,
  type InteractionDataset,
  type Recommender,
  type SequenceHyperParameters,
  type UserSequence,
} from '@recstream/models';

export type Hyperparameters = Readonly<Record<string, string | number | boolean>>;

export interface ModelContext {
  /** The split's training sequences (time order). */
  readonly train: readonly UserSequence[];
  readonly numItems: number;
  /** The whole dataset, for side information (item attributes, id maps); never its held-out items. */
  readonly dataset: InteractionDataset;
  readonly seed: number;
  /**
   * Held-out cases a model may use to stop early (the protocol's validation set), given only when
   * the evaluation is on test: a model is never tuned on the set it is scored on.
   */
  readonly validation?: readonly EvalCase[];
  readonly onProgress?: (done: number, total: number) => void;
  /** Overrides of the model's defaults; unknown keys are an error. */
  readonly hyperparameters?: Hyperparameters;
}

export type ModelFactory = (ctx: ModelContext) => Promise<Recommender>;

/**
 * `defaults` with the overrides applied, each checked to have its default's type. Throws on keys
 * the model does not have, naming the ones it does.
 */
export function resolveHyperparameters<T extends object>(
  model: string,
  defaults: T,
  overrides: Hyperparameters = {},
): T {
  const resolved: Record<string, unknown> = Object.fromEntries(Object.entries(defaults));
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in defaults))
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        `${model} has no hyperparameter '${key}' (it has: ${Object.keys(defaults).join(', ')})`,
      );
    if (typeof value !== typeof resolved[key])
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        `${model}.${key} must be a ${typeof resolved[key]}, got ${JSON.stringify(value)}`,
      );
    resolved[key] = value;
  }
  return resolved as T;
}

function progress(ctx: ModelContext): { seed: number; onProgress?: (done: number, total: number) => void } {
  return ctx.onProgress === undefined ? { seed: ctx.seed } : { seed: ctx.seed, onProgress: ctx.onProgress };
}

/** Runs synchronous training so that its errors reject the promise instead of throwing. */
function train<T>(fit: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fit()));
}

export const MODEL_REGISTRY: Readonly<Record<string, ModelFactory>> = {
  popularity: (ctx) =>
    train(() => {
      resolveHyperparameters('popularity', {}, ctx.hyperparameters);
      return trainPopularity(ctx.train, ctx.numItems, progress(ctx));
    }),
  itemknn: (ctx) =>
    train(() => {
      const options = resolveHyperparameters<ItemKnnOptions>(
        'itemknn',
        ITEM_KNN_DEFAULTS,
        ctx.hyperparameters,
      );
      if (options.similarity !== 'cosine' && options.similarity !== 'jaccard')
        throw new PermanentError(ERROR_CODES.invalidInput, `itemknn.similarity must be cosine or jaccard`);
      return trainItemKnn(ctx.train, ctx.numItems, progress(ctx), options);
    }),
  bpr: (ctx) =>
    train(() => {
      const options = resolveHyperparameters<BprOptions>('bpr', BPR_DEFAULTS, ctx.hyperparameters);
      return trainBpr(ctx.train, ctx.numItems, progress(ctx), options);
    }),
  // Self-attention over the recent item sequence (SASRec-style), on native TensorFlow.
  sasrec: (ctx) =>
    trainSequenceModel({
      ...ctx,
      train: [...ctx.train],
      hyper: resolveHyperparameters<SequenceHyperParameters>(
        'sasrec',
        DEFAULT_SEQUENCE_HYPER_PARAMETERS,
        ctx.hyperparameters,
      ),
    }),
  // Two stages: retrieval (sasrec ∪ co-visitation ∪ popularity) re-ranked by the ranker, which
  // learns from the validation items (or, without them, each training sequence's last item).
  'sasrec-ranker': (ctx) => {
    const { sequence, retrieval, ranker } = splitTwoStageOptions(
      resolveHyperparameters<TwoStageFlatOptions>('sasrec-ranker', TWO_STAGE_DEFAULTS, ctx.hyperparameters),
    );
    return trainTwoStage({
      train: ctx.train,
      validation: ctx.validation,
      numItems: ctx.numItems,
      dataset: ctx.dataset,
      seed: ctx.seed,
      sequence,
      retrieval,
      ranker,
      onProgress: ctx.onProgress,
    });
  },
};

export function modelFactory(name: string): ModelFactory {
  const factory = MODEL_REGISTRY[name];
  if (factory === undefined)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `unknown model '${name}' (known: ${Object.keys(MODEL_REGISTRY).join(', ')})`,
    );
  return factory;
}
