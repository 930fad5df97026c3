/**
 * The dense part of the sequence model: learned positional embeddings, causal self-attention
 * blocks (SASRec's layout: layer norm → attention → residual, layer norm → point-wise feed-forward
 * → residual, padding re-masked after each block) and a final layer norm. Its weights are few
 * (about 50k at hidden 64) and dense, so they live in tf.Variables with a tf optimizer; the item and
 * attribute embeddings are not here: they arrive as an input tensor gathered from sparse tables.
 *
 * `encodeSequences` takes its weights as a plain name → tensor record so the trainer can pass them
 * as the arguments of `tf.valueAndGrads` together with the embedding input.
 */
import type { Tensor, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import type { TensorFlow } from '../backend.js';
import { mulberry32 } from '../embedding/row-init.js';
import type { SequenceHyperParameters } from './hyper-parameters.js';

export type DenseWeights = Readonly<Record<string, Tensor>>;

export interface DenseWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: 'glorot' | 'zeros' | 'ones' | 'normal';
}

const LAYER_NORM_EPSILON = 1e-8;
/** Added to masked attention scores; finite so a fully masked (padding) query stays NaN-free. */
const MASKED_SCORE = -1e9;

/** Names and shapes of every dense weight, in a fixed order (the save format relies on it). */
export function denseWeightSpecs(hyper: SequenceHyperParameters): DenseWeightSpec[] {
  const d = hyper.hiddenDim;
  const specs: DenseWeightSpec[] = [{ name: 'position', shape: [hyper.maxLength, d], init: 'normal' }];
  for (let b = 0; b < hyper.blocks; b += 1) {
    const p = `block${b}`;
    specs.push(
      { name: `${p}/attention_norm/gamma`, shape: [d], init: 'ones' },
      { name: `${p}/attention_norm/beta`, shape: [d], init: 'zeros' },
      { name: `${p}/query/kernel`, shape: [d, d], init: 'glorot' },
      { name: `${p}/query/bias`, shape: [d], init: 'zeros' },
      { name: `${p}/key/kernel`, shape: [d, d], init: 'glorot' },
      { name: `${p}/key/bias`, shape: [d], init: 'zeros' },
      { name: `${p}/value/kernel`, shape: [d, d], init: 'glorot' },
      { name: `${p}/value/bias`, shape: [d], init: 'zeros' },
      { name: `${p}/output/kernel`, shape: [d, d], init: 'glorot' },
      { name: `${p}/output/bias`, shape: [d], init: 'zeros' },
      { name: `${p}/ffn_norm/gamma`, shape: [d], init: 'ones' },
      { name: `${p}/ffn_norm/beta`, shape: [d], init: 'zeros' },
      { name: `${p}/ffn1/kernel`, shape: [d, d], init: 'glorot' },
      { name: `${p}/ffn1/bias`, shape: [d], init: 'zeros' },
      { name: `${p}/ffn2/kernel`, shape: [d, d], init: 'glorot' },
      { name: `${p}/ffn2/bias`, shape: [d], init: 'zeros' },
    );
  }
  specs.push(
    { name: 'final_norm/gamma', shape: [d], init: 'ones' },
    { name: 'final_norm/beta', shape: [d], init: 'zeros' },
  );
  return specs;
}

/** Deterministic initial values for one dense weight (Glorot uniform for kernels). */
export function initialDenseValues(spec: DenseWeightSpec, seed: number, initStd: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  switch (spec.init) {
    case 'zeros':
      return values;
    case 'ones':
      return values.fill(1);
    case 'glorot': {
      const [fanIn = 1, fanOut = 1] = spec.shape;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const random = mulberry32(seed);
      for (let i = 0; i < size; i += 1) values[i] = (2 * random() - 1) * limit;
      return values;
    }
    case 'normal': {
      const random = mulberry32(seed);
      for (let i = 0; i < size; i += 1) {
        values[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) * initStd;
      }
      return values;
    }
  }
}

export interface EncoderInput {
  /** [batch, length, hidden]: the item vectors of each position (zeros at padding). */
  readonly items: Tensor3D;
  /** [batch, length]: 1 at real positions, 0 at (left) padding. */
  readonly mask: Tensor2D;
  /** Dropout is applied only when training; each call draws fresh seeds from `nextSeed`. */
  readonly training: boolean;
  readonly nextSeed: () => number;
}

function layerNorm(tf: TensorFlow, x: Tensor, gamma: Tensor, beta: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON))), gamma), beta);
}

/** x [..., d] · kernel [d, e] + bias, for x of any rank. */
function dense(tf: TensorFlow, x: Tensor, kernel: Tensor, bias: Tensor): Tensor {
  const shape = x.shape;
  const d = shape[shape.length - 1] ?? 0;
  const out = tf.add(tf.matMul(tf.reshape(x, [-1, d]), kernel as Tensor2D), bias);
  return tf.reshape(out, [...shape.slice(0, -1), kernel.shape[1] ?? 0]);
}

function weight(weights: DenseWeights, name: string): Tensor {
  const w = weights[name];
  if (w === undefined) throw new Error(`sequence model: dense weight ${name} is missing`);
  return w;
}

/**
 * Encodes left-padded item sequences: [batch, length, hidden] hidden states, position t seeing
 * only positions ≤ t. Positions are right-aligned (the most recent item always has the last
 * positional embedding), so a batch may be shorter than `maxLength` without changing the result.
 */
export function encodeSequences(
  tf: TensorFlow,
  hyper: SequenceHyperParameters,
  weights: DenseWeights,
  input: EncoderInput,
): Tensor3D {
  const [batch = 0, length = 0, hidden = 0] = input.items.shape;
  if (length > hyper.maxLength)
    throw new Error(`sequence model: length ${length} exceeds maxLength ${hyper.maxLength}`);
  const heads = hyper.heads;
  const headDim = hidden / heads;
  const dropout = (x: Tensor): Tensor =>
    input.training && hyper.dropout > 0 ? tf.dropout(x, hyper.dropout, undefined, input.nextSeed()) : x;

  const mask3 = tf.expandDims(input.mask, 2); // [b, l, 1]
  const positions = tf.slice(weight(weights, 'position'), [hyper.maxLength - length, 0], [length, hidden]);
  let x: Tensor = tf.add(tf.mul(input.items, Math.sqrt(hidden)), positions);
  x = tf.mul(dropout(x), mask3);

  // Additive attention bias [b, 1, l, l]: query t may attend to key s when s ≤ t and s is real.
  const causal = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
  const allowed = tf.mul(causal, tf.reshape(input.mask, [batch, 1, 1, length]));
  const bias = tf.mul(tf.sub(1, allowed), MASKED_SCORE);

  const splitHeads = (t: Tensor): Tensor =>
    tf.transpose(tf.reshape(t, [batch, length, heads, headDim]), [0, 2, 1, 3]);
  for (let b = 0; b < hyper.blocks; b += 1) {
    const p = `block${b}`;
    const queryInput = layerNorm(
      tf,
      x,
      weight(weights, `${p}/attention_norm/gamma`),
      weight(weights, `${p}/attention_norm/beta`),
    );
    const q = splitHeads(
      dense(tf, queryInput, weight(weights, `${p}/query/kernel`), weight(weights, `${p}/query/bias`)),
    );
    const k = splitHeads(dense(tf, x, weight(weights, `${p}/key/kernel`), weight(weights, `${p}/key/bias`)));
    const v = splitHeads(
      dense(tf, x, weight(weights, `${p}/value/kernel`), weight(weights, `${p}/value/bias`)),
    );
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim)), bias);
    const attention = dropout(tf.softmax(scores, -1));
    const context = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [batch, length, hidden]);
    const attended = dense(
      tf,
      context,
      weight(weights, `${p}/output/kernel`),
      weight(weights, `${p}/output/bias`),
    );
    // As in SASRec (PyTorch MultiheadAttention), dropout acts on the attention weights only.
    x = tf.add(queryInput, attended);

    x = layerNorm(tf, x, weight(weights, `${p}/ffn_norm/gamma`), weight(weights, `${p}/ffn_norm/beta`));
    const inner = tf.relu(
      dropout(dense(tf, x, weight(weights, `${p}/ffn1/kernel`), weight(weights, `${p}/ffn1/bias`))),
    );
    const outer = dropout(
      dense(tf, inner, weight(weights, `${p}/ffn2/kernel`), weight(weights, `${p}/ffn2/bias`)),
    );
    x = tf.mul(tf.add(x, outer), mask3);
  }
  return layerNorm(
    tf,
    x,
    weight(weights, 'final_norm/gamma'),
    weight(weights, 'final_norm/beta'),
  ) as Tensor3D;
}

/** The dense weights as trainable tf.Variables, uniquely named per model instance. */
export function createDenseVariables(
  tf: TensorFlow,
  specs: readonly DenseWeightSpec[],
  values: (spec: DenseWeightSpec, index: number) => Float32Array,
  scope: string,
): Map<string, Variable> {
  const variables = new Map<string, Variable>();
  specs.forEach((spec, index) => {
    const data = values(spec, index);
    const initial = tf.tensor(data, [...spec.shape], 'float32');
    variables.set(spec.name, tf.variable(initial, true, `${scope}/${spec.name}`));
    initial.dispose();
  });
  return variables;
}
