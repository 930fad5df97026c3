/**
 * Training batches for next-item prediction at every position. Each user's training sequence
 * s₁…sₙ becomes inputs s₁…sₙ₋₁ and targets s₂…sₙ, keeping the most recent `maxLength`. Batches are
 * left-padded only to their own longest sequence: users of similar length are grouped (shuffled
 * within windows of several batches, then the batches shuffled), because on Amazon Beauty most
 * sequences are under 10 items and padding all of them to 50 would multiply the work by five.
 */
import type { UserSequence } from '../recommender.js';

/** Left-padded inputs and targets, row-major [size × length]; -1 marks padding. */
export interface TrainingBatch {
  readonly size: number;
  readonly length: number;
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
}

/** How many batches are grouped by length before they are shuffled. */
const BUCKET_WINDOW = 16;

export const PAD = -1;

/** The part of each sequence the model trains on; users with fewer than two items are skipped. */
export function trainingSequences(sequences: readonly UserSequence[], maxLength: number): Int32Array[] {
  const kept: Int32Array[] = [];
  for (const sequence of sequences) {
    if (sequence.items.length < 2) continue;
    kept.push(sequence.items.subarray(Math.max(0, sequence.items.length - (maxLength + 1))));
  }
  return kept;
}

function shuffleInPlace<T>(values: T[], random: () => number): void {
  for (let i = values.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = values[i] as T;
    values[i] = values[j] as T;
    values[j] = a;
  }
}

function toBatch(sequences: readonly Int32Array[]): TrainingBatch {
  const length = Math.max(...sequences.map((s) => s.length - 1));
  const size = sequences.length;
  const inputs = new Int32Array(size * length).fill(PAD);
  const targets = new Int32Array(size * length).fill(PAD);
  sequences.forEach((sequence, row) => {
    const n = sequence.length - 1;
    const start = row * length + (length - n);
    inputs.set(sequence.subarray(0, n), start);
    targets.set(sequence.subarray(1), start);
  });
  return { size, length, inputs, targets };
}

/** One epoch of batches in a seeded random order, each grouped with sequences of similar length. */
export function epochBatches(
  sequences: readonly Int32Array[],
  batchSize: number,
  random: () => number,
): TrainingBatch[] {
  const order = sequences.slice();
  shuffleInPlace(order, random);
  const groups: Int32Array[][] = [];
  const window = batchSize * BUCKET_WINDOW;
  for (let start = 0; start < order.length; start += window) {
    const chunk = order.slice(start, start + window).sort((a, b) => a.length - b.length);
    for (let i = 0; i < chunk.length; i += batchSize) groups.push(chunk.slice(i, i + batchSize));
  }
  shuffleInPlace(groups, random);
  return groups.map(toBatch);
}

/** The last `maxLength` items of a history, left-padded into row `row` of a [rows × length] matrix. */
export function writeHistory(target: Int32Array, row: number, length: number, history: Int32Array): void {
  const recent = history.subarray(Math.max(0, history.length - length));
  target.fill(PAD, row * length, (row + 1) * length);
  target.set(recent, row * length + (length - recent.length));
}
