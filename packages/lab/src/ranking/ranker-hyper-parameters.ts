/**
 * Hyper-parameters of the ranker (a small MLP over the r1 feature vector). The defaults were
 * chosen on held-out validation groups of Amazon Beauty (docs/models.md); the net is small on
 * purpose: ~34 dense features need interactions (e.g. "high sequence score and same category"),
 * not capacity, and a small net scores 150 candidates in well under a millisecond.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';

/**
 * - `softmax`: listwise, each group's logits through a softmax against its clicked/bought items.
 *   Offline the label is "which of these candidates did the shopper take next", one per list, and
 *   the metric (NDCG with one relevant item) only depends on the order within a list, so this is
 *   the loss that matches it; scores are comparable within a request, not calibrated.
 * - `sigmoid`: pointwise binary cross-entropy, calibrated click probabilities (for thresholds or
 *   blending with business rules), usually a little worse at ordering.
 */
export type RankerLoss = 'softmax' | 'sigmoid';

export interface RankerHyperParameters {
  /** Widths of the hidden ReLU layers. */
  readonly hidden: readonly number[];
  readonly loss: RankerLoss;
  readonly learningRate: number;
  /** L2 penalty on the weight matrices (not the biases). */
  readonly l2: number;
  /** Groups (candidate lists) per step. */
  readonly batchSize: number;
  readonly maxEpochs: number;
  /** Stop after this many epochs without a better validation NDCG@10; the best weights are kept. */
  readonly patience: number;
  /** Share of groups held out for early stopping when no validation groups are given. */
  readonly validationShare: number;
}

export const DEFAULT_RANKER_HYPER_PARAMETERS: RankerHyperParameters = {
  hidden: [64, 32],
  loss: 'softmax',
  learningRate: 1e-3,
  l2: 1e-5,
  batchSize: 64,
  maxEpochs: 30,
  patience: 3,
  validationShare: 0.1,
};

function problem(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidConfig, `ranker hyper-parameters: ${message}`);
}

/** Merges overrides into the defaults and checks every value, naming the first bad one. */
export function resolveRankerHyperParameters(
  overrides: Partial<RankerHyperParameters> = {},
): RankerHyperParameters {
  const hyper = { ...DEFAULT_RANKER_HYPER_PARAMETERS, ...overrides };
  if (hyper.hidden.some((width) => !Number.isInteger(width) || width < 1))
    throw problem(`hidden must be positive integers, got [${hyper.hidden.join(', ')}]`);
  if (hyper.loss !== 'softmax' && hyper.loss !== 'sigmoid')
    throw problem(`loss must be 'softmax' or 'sigmoid', got ${String(hyper.loss)}`);
  for (const name of ['batchSize', 'maxEpochs', 'patience'] as const)
    if (!Number.isInteger(hyper[name]) || hyper[name] < 1)
      throw problem(`${name} must be a positive integer, got ${hyper[name]}`);
  if (!(Number.isFinite(hyper.learningRate) && hyper.learningRate > 0))
    throw problem(`learningRate must be a positive number, got ${hyper.learningRate}`);
  if (!(Number.isFinite(hyper.l2) && hyper.l2 >= 0)) throw problem(`l2 must be ≥ 0, got ${hyper.l2}`);
  if (!(hyper.validationShare > 0 && hyper.validationShare < 1))
    throw problem(`validationShare must be in (0, 1), got ${hyper.validationShare}`);
  return hyper;
}

/** `"64,32"` → [64, 32]; `"none"` or `""` → [] (how the evaluation CLI passes `hidden`). */
export function parseHidden(value: string): number[] {
  // No hidden layer: a logistic / softmax-linear model over the features.
  if (value.trim() === '' || value.trim() === 'none') return [];
  const widths = value.split(',').map((part) => Number(part.trim()));
  if (widths.some((width) => !Number.isInteger(width) || width < 1))
    throw problem(`hidden must be comma-separated positive integers, got '${value}'`);
  return widths;
}
