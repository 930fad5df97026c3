/**
 * A SASRec-style sequence recommender whose item and attribute embeddings live in sparse tables.
 *
 * An item's vector is its own embedding plus the mean of its attribute embeddings (brand,
 * categories), so a new item with known attributes starts from a meaningful vector, and the same
 * vectors are used for input positions and as output vectors (tied). One training step:
 *   1. collects the distinct items the batch needs (inputs, targets, shared negatives) and their
 *      attributes, and gathers those rows from the tables in JS into two small tensors;
 *   2. runs the transformer and a sampled softmax (each position's target against the shared
 *      negatives, accidental hits masked, optional logQ correction) under `tf.valueAndGrads`
 *      with respect to those tensors and the dense weights;
 *   3. applies the dense gradients with tf's Adam and scatters the embedding gradients back to
 *      the tables' rows with their sparse Adam.
 * Nothing in a step is proportional to the catalogue size, so tables can grow without slowing
 * training. Scoring builds every item's vector once per model version and ranks with one matMul.
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type { TensorFlow } from '../backend.js';
import type { Recommender, ScoreQuery } from '../recommender.js';
import { SparseEmbeddingTable } from '../embedding/sparse-embedding-table.js';
import { hashId } from '../embedding/row-init.js';
import { PAD, writeHistory, type TrainingBatch } from './batches.js';
import type { SequenceHyperParameters } from './hyper-parameters.js';
import {
  createDenseVariables,
  denseWeightSpecs,
  encodeSequences,
  initialDenseValues,
  type DenseWeights,
  type DenseWeightSpec,
} from './transformer.js';

export const SEQUENCE_MODEL_NAME = 'sasrec';

/** The catalogue the model scores: dense item indices and their optional side features. */
export interface SequenceCatalog {
  readonly numItems: number;
  readonly itemAttributes?: readonly (Int32Array | undefined)[] | undefined;
  readonly numAttributes?: number | undefined;
}

export interface SequenceModelState {
  readonly hyper: SequenceHyperParameters;
  readonly catalog: SequenceCatalog;
  readonly seed: number;
  readonly itemTable: SparseEmbeddingTable;
  readonly attributeTable: SparseEmbeddingTable;
  /** Dense weights by name, in `denseWeightSpecs` shapes. */
  readonly dense: ReadonlyMap<string, Float32Array>;
}

/** What one training step needs besides the batch. */
export interface StepOptions {
  /** Item indices shared as negatives by every position of the batch. */
  readonly negatives: Int32Array;
  /** log q of drawing each item (logQ correction); omit for uniform sampling. */
  readonly logQ?: ((item: number) => number) | undefined;
  /** Fresh seeds for dropout. */
  readonly nextSeed: () => number;
}

/** Scores for a query are built in chunks of this many users to bound tensor sizes. */
const ENCODE_CHUNK = 256;
/** Added to a negative's logit when it is the position's own target (an accidental hit). */
const HIT_PENALTY = -1e9;

let instances = 0;

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `sequence model: ${message}`);
}

export function createEmbeddingTables(
  hyper: SequenceHyperParameters,
  catalog: SequenceCatalog,
  seed: number,
): { itemTable: SparseEmbeddingTable; attributeTable: SparseEmbeddingTable } {
  const optimizer = {
    kind: 'adam',
    learningRate: hyper.learningRate,
    beta1: hyper.beta1,
    beta2: hyper.beta2,
  } as const;
  const itemTable = new SparseEmbeddingTable({
    dim: hyper.hiddenDim,
    optimizer,
    seed: hashId('items', seed),
    initStd: hyper.initStd,
    initialCapacity: catalog.numItems,
  });
  const attributeTable = new SparseEmbeddingTable({
    dim: hyper.hiddenDim,
    optimizer,
    seed: hashId('attributes', seed),
    initStd: hyper.initStd,
    initialCapacity: catalog.numAttributes ?? 0,
  });
  // Admit the known catalogue up front so rows follow item order; later ids are admitted on sight.
  for (let item = 0; item < catalog.numItems; item += 1) itemTable.admit(item);
  return { itemTable, attributeTable };
}

export class SequenceRecommender implements Recommender {
  readonly name = SEQUENCE_MODEL_NAME;
  readonly hyper: SequenceHyperParameters;
  readonly seed: number;
  readonly itemTable: SparseEmbeddingTable;
  readonly attributeTable: SparseEmbeddingTable;
  private readonly tf: TensorFlow;
  private catalog: SequenceCatalog;
  private readonly specs: DenseWeightSpec[];
  private readonly variables: Map<string, Variable>;
  private readonly optimizer;
  private itemMatrixCache: Tensor2D | undefined;
  private itemVectorCache: Float32Array | undefined;
  private disposed = false;

  constructor(tf: TensorFlow, state: SequenceModelState) {
    const { hyper, catalog } = state;
    if (!Number.isInteger(catalog.numItems) || catalog.numItems <= 0)
      throw invalid(`numItems must be a positive integer, got ${catalog.numItems}`);
    if (catalog.itemAttributes !== undefined && catalog.itemAttributes.length > catalog.numItems) {
      throw invalid(
        `itemAttributes has ${catalog.itemAttributes.length} entries for ${catalog.numItems} items`,
      );
    }
    if (state.itemTable.dim !== hyper.hiddenDim || state.attributeTable.dim !== hyper.hiddenDim) {
      throw invalid(`embedding tables must have dim ${hyper.hiddenDim}`);
    }
    this.tf = tf;
    this.hyper = hyper;
    this.catalog = catalog;
    this.seed = state.seed;
    this.itemTable = state.itemTable;
    this.attributeTable = state.attributeTable;
    this.specs = denseWeightSpecs(hyper);
    for (const spec of this.specs) {
      const values = state.dense.get(spec.name);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (values === undefined || values.length !== size)
        throw invalid(`dense weight ${spec.name} is missing or not ${size} values`);
    }
    instances += 1;
    this.variables = createDenseVariables(
      tf,
      this.specs,
      (spec) => state.dense.get(spec.name) ?? new Float32Array(0),
      `sasrec${instances}`,
    );
    this.optimizer = tf.train.adam(hyper.learningRate, hyper.beta1, hyper.beta2, 1e-8);
  }

  /** A freshly initialised model (deterministic for a seed). */
  static create(
    tf: TensorFlow,
    hyper: SequenceHyperParameters,
    catalog: SequenceCatalog,
    seed: number,
  ): SequenceRecommender {
    const { itemTable, attributeTable } = createEmbeddingTables(hyper, catalog, seed);
    const dense = new Map<string, Float32Array>();
    for (const spec of denseWeightSpecs(hyper))
      dense.set(spec.name, initialDenseValues(spec, hashId(spec.name, seed), hyper.initStd));
    return new SequenceRecommender(tf, { hyper, catalog, seed, itemTable, attributeTable, dense });
  }

  /** The dense weights' current values by name (copies). */
  denseValues(): Map<string, Float32Array> {
    const values = new Map<string, Float32Array>();
    for (const [name, variable] of this.variables) values.set(name, variable.dataSync() as Float32Array);
    return values;
  }

  /** Overwrites the dense weights (e.g. to restore the best epoch). */
  setDenseValues(values: ReadonlyMap<string, Float32Array>): void {
    for (const spec of this.specs) {
      const data = values.get(spec.name);
      const variable = this.variables.get(spec.name);
      if (data === undefined || variable === undefined) throw invalid(`dense weight ${spec.name} is missing`);
      this.tf.tidy(() => variable.assign(this.tf.tensor(data, [...spec.shape], 'float32')));
    }
    this.invalidateScoringCache();
  }

  get numItems(): number {
    return this.catalog.numItems;
  }

  /**
   * Admits new items without retraining: `catalog` is the current one extended with items
   * numItems..catalog.numItems-1 (existing items keep their indices). Each new item starts from its
   * seeded vector plus the mean of its attributes' trained embeddings, so one that shares a brand or
   * category with known items is ranked sensibly at once; training refines it from its first
   * appearance in a batch.
   */
  addItems(catalog: SequenceCatalog): void {
    this.assertUsable();
    if (!Number.isInteger(catalog.numItems) || catalog.numItems < this.numItems) {
      throw invalid(`the catalogue can only grow: ${catalog.numItems} < ${this.numItems} items`);
    }
    if (catalog.itemAttributes !== undefined && catalog.itemAttributes.length > catalog.numItems) {
      throw invalid(
        `itemAttributes has ${catalog.itemAttributes.length} entries for ${catalog.numItems} items`,
      );
    }
    for (let item = this.numItems; item < catalog.numItems; item += 1) this.itemTable.admit(item);
    this.catalog = catalog;
    this.invalidateScoringCache();
  }

  get catalogue(): SequenceCatalog {
    return this.catalog;
  }

  /** One optimisation step on a batch; returns the mean sampled-softmax loss. */
  trainStep(batch: TrainingBatch, options: StepOptions): number {
    this.assertUsable();
    const tf = this.tf;
    const dim = this.hyper.hiddenDim;
    const { size, length, inputs, targets } = batch;
    const { negatives } = options;

    // 1. The distinct items of the batch, each with a local index into the gathered tensor.
    const localOf = new Map<number, number>();
    const items: number[] = [];
    const local = (item: number): number => {
      let index = localOf.get(item);
      if (index === undefined) {
        this.checkItem(item);
        index = items.length;
        localOf.set(item, index);
        items.push(item);
      }
      return index;
    };
    // Padding positions point at local row 0: the encoder zeroes them (and their gradient) by mask.
    const inputLocal = new Int32Array(inputs.length);
    const mask = new Float32Array(inputs.length);
    for (let i = 0; i < inputs.length; i += 1) {
      const item = inputs[i] ?? PAD;
      inputLocal[i] = item === PAD ? 0 : local(item);
      mask[i] = item === PAD ? 0 : 1;
    }
    const positions: number[] = [];
    const targetLocal: number[] = [];
    const targetItems: number[] = [];
    for (let i = 0; i < targets.length; i += 1) {
      const item = targets[i] ?? PAD;
      if (item === PAD) continue;
      positions.push(i);
      targetLocal.push(local(item));
      targetItems.push(item);
    }
    if (positions.length === 0) throw invalid('a training batch has no target');
    const negativeLocal = Int32Array.from(negatives, (item) => local(item));
    const itemCount = items.length;

    // Accidental hits: a shared negative that is the position's own target must not count against it.
    const hits = new Float32Array(positions.length * negatives.length);
    for (let p = 0; p < positions.length; p += 1) {
      const target = targetItems[p];
      for (let s = 0; s < negatives.length; s += 1)
        if (negatives[s] === target) hits[p * negatives.length + s] = HIT_PENALTY;
    }
    const logQ = options.logQ;
    const targetCorrection =
      logQ === undefined ? undefined : Float32Array.from(targetItems, (item) => -logQ(item));
    const negativeCorrection =
      logQ === undefined ? undefined : Float32Array.from(negatives, (item) => -logQ(item));

    const itemRows = this.itemTable.admitAll(items);
    const attributes = this.batchAttributes(items);

    // 2. Forward and gradients with respect to the gathered rows and the dense weights.
    const names = this.specs.map((spec) => spec.name);
    const denseTensors = names.map((name) => this.variables.get(name) as Variable);
    const inputsTensor = tf.tensor2d(inputLocal, [size, length], 'int32');
    const maskTensor = tf.tensor2d(mask, [size, length], 'float32');
    const positionsTensor = tf.tensor1d(Int32Array.from(positions), 'int32');
    const targetTensor = tf.tensor1d(Int32Array.from(targetLocal), 'int32');
    const negativeTensor = tf.tensor1d(negativeLocal, 'int32');
    const hitsTensor = tf.tensor2d(hits, [positions.length, negatives.length], 'float32');
    const targetCorrectionTensor =
      targetCorrection === undefined ? undefined : tf.tensor1d(targetCorrection, 'float32');
    const negativeCorrectionTensor =
      negativeCorrection === undefined ? undefined : tf.tensor1d(negativeCorrection, 'float32');
    const itemTensor = tf.tensor2d(this.itemTable.gather(itemRows), [itemCount, dim], 'float32');
    const attributeTensor = tf.tensor2d(
      attributes.rows.length === 0 ? new Float32Array(dim) : this.attributeTable.gather(attributes.rows),
      [Math.max(1, attributes.rows.length), dim],
      'float32',
    );
    const attributeIndex = tf.tensor2d(attributes.index, [itemCount, attributes.width], 'int32');
    const attributeWeight = tf.tensor3d(attributes.weight, [itemCount, attributes.width, 1], 'float32');
    const owned: Tensor[] = [
      inputsTensor,
      maskTensor,
      positionsTensor,
      targetTensor,
      negativeTensor,
      hitsTensor,
      itemTensor,
      attributeTensor,
      attributeIndex,
      attributeWeight,
    ];
    if (targetCorrectionTensor !== undefined) owned.push(targetCorrectionTensor);
    if (negativeCorrectionTensor !== undefined) owned.push(negativeCorrectionTensor);

    try {
      const lossOf = (...args: Tensor[]): Tensor => {
        const [itemRowsIn, attributeRowsIn, ...denseIn] = args as [Tensor2D, Tensor2D, ...Tensor[]];
        const weights: Record<string, Tensor> = {};
        names.forEach((name, i) => {
          weights[name] = denseIn[i] as Tensor;
        });
        const vectors = tf.add<Tensor2D>(
          itemRowsIn,
          tf.sum(tf.mul(tf.gather(attributeRowsIn, attributeIndex), attributeWeight), 1),
        );
        const sequenceItems = tf.gather(vectors, inputsTensor).reshape<Tensor3D>([size, length, dim]);
        const hidden = encodeSequences(tf, this.hyper, weights, {
          items: sequenceItems,
          mask: maskTensor,
          training: true,
          nextSeed: options.nextSeed,
        });
        const atTargets = tf.gather<Tensor2D>(tf.reshape(hidden, [-1, dim]), positionsTensor);
        let positive = tf.sum<Tensor1D>(tf.mul(atTargets, tf.gather(vectors, targetTensor)), 1);
        let negative = tf.add<Tensor2D>(
          tf.matMul(atTargets, tf.gather(vectors, negativeTensor), false, true),
          hitsTensor,
        );
        if (targetCorrectionTensor !== undefined && negativeCorrectionTensor !== undefined) {
          positive = tf.add(positive, targetCorrectionTensor);
          negative = tf.add(negative, negativeCorrectionTensor);
        }
        const logits = tf.concat([tf.expandDims(positive, 1), negative], 1);
        return tf.mean(tf.sub(tf.logSumExp(logits, 1), positive));
      };
      const { value, grads } = tf.valueAndGrads(lossOf)([itemTensor, attributeTensor, ...denseTensors]);
      try {
        const [itemGrad, attributeGrad, ...denseGrads] = grads;
        // 3. Dense weights through tf's Adam; embedding rows through the tables' sparse Adam.
        this.optimizer.applyGradients(
          denseTensors.map((variable, i) => ({ name: variable.name, tensor: denseGrads[i] as Tensor })),
        );
        this.itemTable.applyGradients(itemRows, itemGrad?.dataSync() as Float32Array);
        if (attributes.rows.length > 0) {
          this.attributeTable.applyGradients(
            attributes.rows,
            (attributeGrad?.dataSync() as Float32Array).subarray(0, attributes.rows.length * dim),
          );
        }
        this.invalidateScoringCache();
        return value.dataSync()[0] ?? Number.NaN;
      } finally {
        value.dispose();
        for (const grad of grads) grad.dispose();
      }
    } finally {
      for (const tensor of owned) tensor.dispose();
    }
  }

  /** Every item's vector (own embedding + mean attribute embedding), row-major numItems × dim. */
  itemVectors(): Float32Array {
    this.assertUsable();
    if (this.itemVectorCache !== undefined) return this.itemVectorCache;
    const dim = this.hyper.hiddenDim;
    const out = new Float32Array(this.numItems * dim);
    const attributeRow = new Float32Array(dim);
    const acc = new Float32Array(dim);
    for (let item = 0; item < this.numItems; item += 1) {
      const offset = item * dim;
      const row = this.itemTable.rowOf(item);
      // An evicted or never-trained item keeps only its attribute part (zero when it has none).
      if (row !== undefined) this.itemTable.gather([row], out.subarray(offset, offset + dim));
      const attributes = this.catalog.itemAttributes?.[item];
      if (!this.hyper.useAttributes || attributes === undefined || attributes.length === 0) continue;
      let known = 0;
      acc.fill(0);
      for (const attribute of attributes) {
        const attributeRowIndex = this.attributeTable.rowOf(attribute);
        if (attributeRowIndex === undefined) continue;
        this.attributeTable.gather([attributeRowIndex], attributeRow);
        for (let d = 0; d < dim; d += 1) acc[d] = (acc[d] ?? 0) + (attributeRow[d] ?? 0);
        known += 1;
      }
      // The mean over all of the item's attributes, as in training (unknown ones count as zero).
      if (known > 0)
        for (let d = 0; d < dim; d += 1)
          out[offset + d] = (out[offset + d] ?? 0) + (acc[d] ?? 0) / attributes.length;
    }
    this.itemVectorCache = out;
    return out;
  }

  /** The final hidden state of each history (its last position), row-major histories × dim. */
  encode(histories: readonly Int32Array[]): Float32Array {
    this.assertUsable();
    const tf = this.tf;
    const dim = this.hyper.hiddenDim;
    const out = new Float32Array(histories.length * dim);
    const weights = this.weightRecord();
    const itemMatrix = this.itemMatrix();
    for (let start = 0; start < histories.length; start += ENCODE_CHUNK) {
      const chunk = histories.slice(start, start + ENCODE_CHUNK);
      for (const history of chunk) for (const item of history) this.checkItem(item);
      const length = Math.max(1, Math.min(this.hyper.maxLength, ...chunk.map((h) => h.length)));
      const indices = new Int32Array(chunk.length * length);
      chunk.forEach((history, row) => writeHistory(indices, row, length, history));
      const mask = Float32Array.from(indices, (item) => (item === PAD ? 0 : 1));
      // Padding points at item 0; the encoder masks it out.
      for (let i = 0; i < indices.length; i += 1) if (indices[i] === PAD) indices[i] = 0;
      const last = tf.tidy(() => {
        const items = tf
          .gather(itemMatrix, tf.tensor2d(indices, [chunk.length, length], 'int32'))
          .reshape<Tensor3D>([chunk.length, length, dim]);
        const hidden = encodeSequences(tf, this.hyper, weights, {
          items,
          mask: tf.tensor2d(mask, [chunk.length, length], 'float32'),
          training: false,
          nextSeed: () => 0,
        });
        return tf.slice(hidden, [0, length - 1, 0], [chunk.length, 1, dim]).dataSync() as Float32Array;
      });
      out.set(last, start * dim);
    }
    return out;
  }

  async scoreAll(queries: readonly ScoreQuery[]): Promise<Float32Array> {
    this.assertUsable();
    const tf = this.tf;
    const hidden = this.encode(queries.map((query) => query.history));
    const items = this.itemMatrix();
    const scores = tf.tidy(() =>
      tf.matMul(tf.tensor2d(hidden, [queries.length, this.hyper.hiddenDim]), items, false, true),
    );
    try {
      return (await scores.data()) as Float32Array;
    } finally {
      scores.dispose();
    }
  }

  /** Scores of the given candidate items for one history (same scale as `scoreAll`). */
  scoreCandidates(history: Int32Array, candidates: Int32Array): Float32Array {
    for (const item of candidates) this.checkItem(item);
    const dim = this.hyper.hiddenDim;
    const hidden = this.encode([history]);
    const vectors = this.itemVectors();
    const scores = new Float32Array(candidates.length);
    for (let c = 0; c < candidates.length; c += 1) {
      const offset = (candidates[c] ?? 0) * dim;
      let sum = 0;
      for (let d = 0; d < dim; d += 1) sum += (hidden[d] ?? 0) * (vectors[offset + d] ?? 0);
      scores[c] = sum;
    }
    return scores;
  }

  /** Frees the tensors the model holds; the model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.invalidateScoringCache();
    for (const variable of this.variables.values()) variable.dispose();
    this.optimizer.dispose();
    this.disposed = true;
  }

  private weightRecord(): DenseWeights {
    return Object.fromEntries(this.variables);
  }

  /** All item vectors as a tensor, cached until the next training step. */
  private itemMatrix(): Tensor2D {
    if (this.itemMatrixCache === undefined) {
      this.itemMatrixCache = this.tf.tensor2d(
        this.itemVectors(),
        [this.numItems, this.hyper.hiddenDim],
        'float32',
      );
    }
    return this.itemMatrixCache;
  }

  private invalidateScoringCache(): void {
    this.itemMatrixCache?.dispose();
    this.itemMatrixCache = undefined;
    this.itemVectorCache = undefined;
  }

  /**
   * The attributes of the batch's items as rows of the attribute table, plus, per item, local
   * indices into them and weights 1/|attributes| (zero-weighted padding up to the widest item).
   */
  private batchAttributes(items: readonly number[]): {
    rows: Int32Array;
    index: Int32Array;
    weight: Float32Array;
    width: number;
  } {
    const perItem = items.map((item) =>
      this.hyper.useAttributes
        ? (this.catalog.itemAttributes?.[item] ?? new Int32Array(0))
        : new Int32Array(0),
    );
    const width = Math.max(1, ...perItem.map((a) => a.length));
    const index = new Int32Array(items.length * width);
    const weight = new Float32Array(items.length * width);
    const localOf = new Map<number, number>();
    const attributes: number[] = [];
    perItem.forEach((list, i) => {
      list.forEach((attribute, j) => {
        let at = localOf.get(attribute);
        if (at === undefined) {
          at = attributes.length;
          localOf.set(attribute, at);
          attributes.push(attribute);
        }
        index[i * width + j] = at;
        weight[i * width + j] = 1 / list.length;
      });
    });
    return { rows: this.attributeTable.admitAll(attributes), index, weight, width };
  }

  private checkItem(item: number): void {
    if (!Number.isInteger(item) || item < 0 || item >= this.numItems)
      throw invalid(`item ${item} is outside 0..${this.numItems - 1}`);
  }

  private assertUsable(): void {
    if (this.disposed) throw invalid('the model was disposed');
  }
}
