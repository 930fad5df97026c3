/**
 * Sparse ("lazy") optimizers for embedding tables: an update reads and writes only the rows a batch
 * touched, so its cost is proportional to the batch, never to the table. Rows that were not in the
 * batch keep their moments untouched (unlike dense Adam, which would decay every row's moments on
 * every step) — the behaviour of TensorFlow's LazyAdam and of the sparse Adagrad used by large
 * production embedding systems.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';

export type SparseOptimizerConfig =
  | {
      readonly kind: 'adam';
      readonly learningRate: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
    }
  | {
      readonly kind: 'adagrad';
      readonly learningRate: number;
      readonly initialAccumulator?: number;
      readonly epsilon?: number;
    };

/** Per-row state lives in `slots` parallel arrays (same layout as the weights: row * dim). */
export interface SparseOptimizer {
  readonly config: SparseOptimizerConfig;
  /** How many per-row state arrays the optimizer needs (Adam: m and v; Adagrad: the accumulator). */
  readonly slotCount: number;
  /** The value a fresh row's slot starts at (Adagrad's initial accumulator; zero otherwise). */
  slotInitialValue(slot: number): number;
  /**
   * Applies one row's gradient in place. `step` is the 1-based global step (Adam's bias correction
   * uses it, as LazyAdam does, so a rarely seen row is not over-corrected).
   */
  updateRow(
    weights: Float32Array,
    slots: readonly Float32Array[],
    offset: number,
    gradient: Float32Array,
    gradientOffset: number,
    dim: number,
    step: number,
  ): void;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `sparse optimizer: ${name} must be a positive number, got ${value}`,
    );
  }
  return value;
}

function fraction(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `sparse optimizer: ${name} must be in [0, 1), got ${value}`,
    );
  }
  return value;
}

export function createSparseOptimizer(config: SparseOptimizerConfig): SparseOptimizer {
  switch (config.kind) {
    case 'adam':
      return sparseAdam(config);
    case 'adagrad':
      return sparseAdagrad(config);
  }
}

function sparseAdam(config: Extract<SparseOptimizerConfig, { kind: 'adam' }>): SparseOptimizer {
  const learningRate = positive('learningRate', config.learningRate);
  const beta1 = fraction('beta1', config.beta1 ?? 0.9);
  const beta2 = fraction('beta2', config.beta2 ?? 0.999);
  const epsilon = positive('epsilon', config.epsilon ?? 1e-8);
  return {
    config,
    slotCount: 2,
    slotInitialValue: () => 0,
    updateRow(weights, slots, offset, gradient, gradientOffset, dim, step) {
      const [m, v] = slots as [Float32Array, Float32Array];
      const correction1 = 1 - beta1 ** step;
      const correction2 = 1 - beta2 ** step;
      const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
      for (let i = 0; i < dim; i += 1) {
        const g = gradient[gradientOffset + i] ?? 0;
        const at = offset + i;
        const mi = beta1 * (m[at] ?? 0) + (1 - beta1) * g;
        const vi = beta2 * (v[at] ?? 0) + (1 - beta2) * g * g;
        m[at] = mi;
        v[at] = vi;
        weights[at] = (weights[at] ?? 0) - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
      }
    },
  };
}

function sparseAdagrad(config: Extract<SparseOptimizerConfig, { kind: 'adagrad' }>): SparseOptimizer {
  const learningRate = positive('learningRate', config.learningRate);
  const initialAccumulator = positive('initialAccumulator', config.initialAccumulator ?? 0.1);
  const epsilon = positive('epsilon', config.epsilon ?? 1e-7);
  return {
    config,
    slotCount: 1,
    slotInitialValue: () => initialAccumulator,
    updateRow(weights, slots, offset, gradient, gradientOffset, dim) {
      const [accumulator] = slots as [Float32Array];
      for (let i = 0; i < dim; i += 1) {
        const g = gradient[gradientOffset + i] ?? 0;
        const at = offset + i;
        const a = (accumulator[at] ?? 0) + g * g;
        accumulator[at] = a;
        weights[at] = (weights[at] ?? 0) - (learningRate * g) / (Math.sqrt(a) + epsilon);
      }
    },
  };
}
