/**
 * The ranker: a small MLP on native TensorFlow over the feature vector of features.ts, scoring one
 * candidate at a time (so a list of any length is one matMul per layer). Inputs are standardised
 * with the training rows' mean and standard deviation, which the model keeps (and the artifact
 * saves), so serving feeds raw feature rows.
 *
 * Training (`trainRanker`) runs Adam on batches of candidate groups with the loss of the
 * hyper-parameters (listwise softmax or pointwise sigmoid), measures NDCG@10 within held-out
 * groups after every epoch, stops after `patience` epochs without improvement and keeps the best
 * epoch's weights.
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-node';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { assertNativeBackend, createRandom, loadTensorFlow, type TensorFlow } from '@recstream/models';
import {
  checkGroups,
  groupCount,
  groupsWithPositives,
  holdOut,
  selectGroups,
  type RankingGroups,
} from './ranking-groups.js';
import { groupNdcg, rocAuc } from './ranking-metrics.js';
import { resolveRankerHyperParameters, type RankerHyperParameters } from './ranker-hyper-parameters.js';

/** Per-feature standardisation: (x − mean) / std. */
export interface Normalisation {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** One dense layer's weights: `kernel` is inputs × units, row-major. */
export interface LayerWeights {
  readonly inputs: number;
  readonly units: number;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

export interface RankerState {
  readonly hyper: RankerHyperParameters;
  readonly width: number;
  readonly normalisation: Normalisation;
  readonly layers: readonly LayerWeights[];
  readonly seed: number;
}

/** Rows scored per forward pass, to bound tensor sizes. */
const SCORE_CHUNK = 65_536;
/** Below this, a feature is treated as constant (its standardised value is 0). */
const MIN_STD = 1e-6;

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `ranker: ${message}`);
}

/** Mean and standard deviation of each feature over the rows of `groups`. */
export function fitNormalisation(groups: RankingGroups): Normalisation {
  const { width, features } = groups;
  const rows = features.length / width;
  if (rows === 0) throw invalid('no rows to fit the normalisation on');
  const sum = new Float64Array(width);
  const squares = new Float64Array(width);
  for (let row = 0; row < rows; row += 1)
    for (let column = 0; column < width; column += 1) {
      const value = features[row * width + column] ?? 0;
      sum[column] = (sum[column] ?? 0) + value;
      squares[column] = (squares[column] ?? 0) + value * value;
    }
  const mean = Float32Array.from(sum, (total) => total / rows);
  const std = Float32Array.from(squares, (total, column) => {
    const variance = total / rows - (mean[column] ?? 0) ** 2;
    const deviation = Math.sqrt(Math.max(variance, 0));
    // A constant feature (e.g. page type offline) must not blow up; it contributes nothing.
    return deviation < MIN_STD ? 1 : deviation;
  });
  return { mean, std };
}

/** He-initialised layers for ReLU, deterministic for a seed; the output layer has one unit. */
function initialLayers(width: number, hidden: readonly number[], seed: number): LayerWeights[] {
  const random = createRandom(seed);
  const sizes = [width, ...hidden, 1];
  const layers: LayerWeights[] = [];
  for (let index = 0; index + 1 < sizes.length; index += 1) {
    const inputs = sizes[index] ?? 1;
    const units = sizes[index + 1] ?? 1;
    const scale = Math.sqrt(2 / inputs);
    layers.push({
      inputs,
      units,
      kernel: Float32Array.from({ length: inputs * units }, () => random.normal() * scale),
      bias: new Float32Array(units),
    });
  }
  return layers;
}

let instances = 0;

export class RankerModel {
  readonly hyper: RankerHyperParameters;
  readonly width: number;
  readonly normalisation: Normalisation;
  readonly seed: number;
  private readonly tf: TensorFlow;
  private readonly kernels: Variable[];
  private readonly biases: Variable[];
  private readonly mean: Tensor;
  private readonly std: Tensor;
  private disposed = false;

  constructor(tf: TensorFlow, state: RankerState) {
    const { hyper, width, normalisation, layers } = state;
    if (!Number.isInteger(width) || width < 1)
      throw invalid(`width must be a positive integer, got ${width}`);
    if (normalisation.mean.length !== width || normalisation.std.length !== width)
      throw invalid(`normalisation must have ${width} means and standard deviations`);
    const sizes = [width, ...hyper.hidden, 1];
    if (layers.length !== sizes.length - 1)
      throw invalid(
        `expected ${sizes.length - 1} layers for hidden [${hyper.hidden.join(', ')}], got ${layers.length}`,
      );
    for (const [index, layer] of layers.entries()) {
      const inputs = sizes[index] ?? 0;
      const units = sizes[index + 1] ?? 0;
      if (
        layer.inputs !== inputs ||
        layer.units !== units ||
        layer.kernel.length !== inputs * units ||
        layer.bias.length !== units
      )
        throw invalid(`layer ${index} must be ${inputs} × ${units} with ${units} biases`);
    }
    this.tf = tf;
    this.hyper = hyper;
    this.width = width;
    this.normalisation = normalisation;
    this.seed = state.seed;
    instances += 1;
    const prefix = `ranker${instances}`;
    this.kernels = layers.map((layer, index) =>
      tf.variable(tf.tensor2d(layer.kernel, [layer.inputs, layer.units]), true, `${prefix}/kernel${index}`),
    );
    this.biases = layers.map((layer, index) =>
      tf.variable(tf.tensor1d(layer.bias), true, `${prefix}/bias${index}`),
    );
    this.mean = tf.tensor2d(normalisation.mean, [1, width]);
    this.std = tf.tensor2d(normalisation.std, [1, width]);
  }

  /** A freshly initialised model (deterministic for a seed). */
  static create(
    tf: TensorFlow,
    hyper: RankerHyperParameters,
    normalisation: Normalisation,
    seed: number,
  ): RankerModel {
    const width = normalisation.mean.length;
    return new RankerModel(tf, {
      hyper,
      width,
      normalisation,
      layers: initialLayers(width, hyper.hidden, seed),
      seed,
    });
  }

  /** The current weights (copies), input layer first. */
  layerWeights(): LayerWeights[] {
    this.assertUsable();
    return this.kernels.map((kernel, index) => {
      const [inputs = 0, units = 0] = kernel.shape;
      return {
        inputs,
        units,
        kernel: kernel.dataSync() as Float32Array,
        bias: this.biases[index]?.dataSync() as Float32Array,
      };
    });
  }

  /** Overwrites the weights (e.g. to restore the best epoch); shapes must match. */
  setLayerWeights(layers: readonly LayerWeights[]): void {
    this.assertUsable();
    if (layers.length !== this.kernels.length) throw invalid(`expected ${this.kernels.length} layers`);
    for (const [index, layer] of layers.entries()) {
      const kernel = this.kernels[index];
      const bias = this.biases[index];
      if (kernel === undefined || bias === undefined) continue;
      if (layer.kernel.length !== kernel.size || layer.bias.length !== bias.size)
        throw invalid(`layer ${index} has the wrong shape`);
      this.tf.tidy(() => {
        kernel.assign(this.tf.tensor2d(layer.kernel, kernel.shape as [number, number]));
        bias.assign(this.tf.tensor1d(layer.bias));
      });
    }
  }

  /** Logits of `rows` standardised feature rows ([rows, width]); ReLU between layers. */
  private forward(rows: Tensor2D): Tensor {
    const tf = this.tf;
    let x: Tensor = tf.div(tf.sub(rows, this.mean), this.std);
    for (const [index, kernel] of this.kernels.entries()) {
      const bias = this.biases[index];
      if (bias === undefined) continue;
      x = tf.add(tf.matMul(x as Tensor2D, kernel), bias);
      if (index < this.kernels.length - 1) x = tf.relu(x);
    }
    return x;
  }

  /**
   * One score per row of `features` (row-major, `width` values each): a logit, higher is better.
   * Throws for a ragged or non-finite input.
   */
  score(features: Float32Array): Float32Array {
    this.assertUsable();
    const { width } = this;
    if (features.length % width !== 0)
      throw invalid(`${features.length} feature values are not whole rows of ${width}`);
    const rows = features.length / width;
    const out = new Float32Array(rows);
    for (let start = 0; start < rows; start += SCORE_CHUNK) {
      const count = Math.min(SCORE_CHUNK, rows - start);
      const chunk = features.subarray(start * width, (start + count) * width);
      for (const value of chunk) if (!Number.isFinite(value)) throw invalid(`a feature value is ${value}`);
      const scores = this.tf.tidy(() =>
        this.forward(this.tf.tensor2d(chunk, [count, width])).reshape([count]),
      );
      out.set(scores.dataSync(), start);
      scores.dispose();
    }
    return out;
  }

  /** One Adam step on a batch of groups ([groups, size, width]); returns the mean loss. */
  trainStep(
    optimizer: ReturnType<TensorFlow['train']['adam']>,
    features: Float32Array,
    labels: Float32Array,
    size: number,
  ): number {
    this.assertUsable();
    const tf = this.tf;
    const groups = labels.length / size;
    const { loss, l2 } = this.hyper;
    const cost = optimizer.minimize(
      () =>
        tf.tidy(() => {
          const logits = this.forward(tf.tensor2d(features, [groups * size, this.width])).reshape([
            groups,
            size,
          ]);
          const target = tf.tensor2d(labels, [groups, size]);
          const data =
            loss === 'softmax'
              ? // Several positives share the target mass (a list with two clicks).
                tf.losses.softmaxCrossEntropy(tf.div(target, tf.sum(target, 1, true)), logits)
              : tf.losses.sigmoidCrossEntropy(target, logits);
          if (l2 === 0) return data as Scalar;
          const penalty = tf.addN(this.kernels.map((kernel) => tf.sum(tf.square(kernel))));
          return tf.add<Scalar>(data, tf.mul(penalty, l2));
        }),
      true,
      [...this.kernels, ...this.biases],
    );
    const value = cost?.dataSync()[0] ?? Number.NaN;
    cost?.dispose();
    return value;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of [...this.kernels, ...this.biases]) variable.dispose();
    this.mean.dispose();
    this.std.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw invalid('the model has been disposed');
  }
}

export interface RankerTrainingContext {
  readonly train: RankingGroups;
  /** Held-out groups for early stopping; `validationShare` of `train` when absent. */
  readonly validation?: RankingGroups | undefined;
  readonly seed: number;
  readonly hyper?: Partial<RankerHyperParameters> | undefined;
  readonly onEpoch?: ((event: RankerEpoch) => void) | undefined;
  /** tfjs-node; loaded (and checked to be native) when absent. */
  readonly tf?: TensorFlow | undefined;
}

export interface RankerEpoch {
  readonly epoch: number;
  readonly loss: number;
  readonly validationNdcg10: number;
  readonly validationAuc: number;
  readonly best: boolean;
}

/** What training measured, for the manifest and reports. */
export interface RankerTrainingSummary {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly trainGroups: number;
  readonly validationGroups: number;
  readonly groupSize: number;
  readonly trainMs: number;
  /** Candidate rows per second over all epochs. */
  readonly rowsPerSecond: number;
  readonly validation: { readonly ndcg10: number; readonly auc: number };
  readonly stoppedBy: 'patience' | 'maxEpochs';
}

export type TrainedRanker = RankerModel & { readonly training: RankerTrainingSummary };

/** Trains a ranker on labelled candidate groups (see the module comment). */
export function trainRanker(context: RankerTrainingContext): TrainedRanker {
  const tf = assertNativeBackend(context.tf ?? loadTensorFlow());
  const hyper = resolveRankerHyperParameters(context.hyper);
  const random = createRandom(context.seed);
  const width = context.train.width;
  checkGroups(context.train, width);
  if (context.validation !== undefined) checkGroups(context.validation, width);
  if (context.validation !== undefined && context.validation.size !== context.train.size)
    throw invalid(
      `validation groups have ${context.validation.size} rows, training groups ${context.train.size}`,
    );

  const split =
    context.validation === undefined
      ? holdOut(context.train, hyper.validationShare, random.fork())
      : { train: context.train, heldOut: context.validation };
  // A softmax needs a positive in every list; lists without one carry no ordering signal for it.
  const train =
    hyper.loss === 'softmax' ? selectGroups(split.train, groupsWithPositives(split.train)) : split.train;
  const validation = split.heldOut;
  const trainGroups = groupCount(train);
  if (trainGroups === 0) throw invalid('no training group has a positive label');
  if (groupsWithPositives(validation).length === 0)
    throw invalid('no validation group has a positive label, so early stopping has nothing to measure');

  const { size } = train;
  const model = RankerModel.create(tf, hyper, fitNormalisation(train), context.seed);
  const optimizer = tf.train.adam(hyper.learningRate);
  const shuffleRandom = random.fork();
  const batchFeatures = new Float32Array(hyper.batchSize * size * width);
  const batchLabels = new Float32Array(hyper.batchSize * size);
  let best: { epoch: number; ndcg10: number; auc: number; layers: LayerWeights[] } | undefined;
  let sinceBest = 0;
  let epoch = 0;
  let stoppedBy: RankerTrainingSummary['stoppedBy'] = 'maxEpochs';
  let trainMs = 0;
  let rows = 0;
  try {
    while (epoch < hyper.maxEpochs) {
      epoch += 1;
      const started = performance.now();
      const order = shuffleRandom.shuffle(Int32Array.from({ length: trainGroups }, (_, index) => index));
      let lossSum = 0;
      let steps = 0;
      for (let start = 0; start < trainGroups; start += hyper.batchSize) {
        const batch = order.subarray(start, start + hyper.batchSize);
        for (const [slot, group] of batch.entries()) {
          batchFeatures.set(
            train.features.subarray(group * size * width, (group + 1) * size * width),
            slot * size * width,
          );
          batchLabels.set(train.labels.subarray(group * size, (group + 1) * size), slot * size);
        }
        lossSum += model.trainStep(
          optimizer,
          batchFeatures.subarray(0, batch.length * size * width),
          batchLabels.subarray(0, batch.length * size),
          size,
        );
        steps += 1;
        rows += batch.length * size;
      }
      trainMs += performance.now() - started;
      const scores = model.score(validation.features);
      const ndcg10 = groupNdcg(validation, scores, 10);
      const auc = rocAuc(scores, validation.labels);
      const improved = best === undefined || ndcg10 > best.ndcg10;
      if (improved) {
        best = { epoch, ndcg10, auc, layers: model.layerWeights() };
        sinceBest = 0;
      } else sinceBest += 1;
      context.onEpoch?.({
        epoch,
        loss: lossSum / steps,
        validationNdcg10: ndcg10,
        validationAuc: auc,
        best: improved,
      });
      if (sinceBest >= hyper.patience) {
        stoppedBy = 'patience';
        break;
      }
    }
    if (best !== undefined && best.epoch !== epoch) model.setLayerWeights(best.layers);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  const summary: RankerTrainingSummary = {
    epochs: epoch,
    bestEpoch: best?.epoch ?? epoch,
    trainGroups,
    validationGroups: groupCount(validation),
    groupSize: size,
    trainMs,
    rowsPerSecond: (rows * 1000) / Math.max(trainMs, 1e-9),
    validation: { ndcg10: best?.ndcg10 ?? 0, auc: best?.auc ?? Number.NaN },
    stoppedBy,
  };
  return Object.assign(model, { training: summary });
}
