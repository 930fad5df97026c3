/**
 * One incremental update of a sequence model, in process and without I/O, so the trainer's job and
 * a replay harness call the same function: admit the new items into the embedding table (they
 * start from their seeded rows), then train a few passes where exactly the new events are targets
 * — each predicted from the shopper's history before it — mixed with a replay of older shoppers'
 * sequences (all positions are targets) so the update does not forget the rest of the shop.
 * Dense layers and the touched embedding rows move; untouched rows do not (sparse Adam).
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { createRandom } from '../random.js';
import type { SequenceRecommender } from './sequence-model.js';
import type { ItemIndex } from './item-index.js';

/** One shopper's sequence: items already learned (inputs only) followed by the items to learn. */
export interface UpdateSequence {
  readonly context: readonly string[];
  readonly learn: readonly string[];
}

export interface IncrementalUpdateOptions {
  /** Passes over the update's sequences. */
  readonly epochs: number;
  readonly seed: number;
  /** Defaults to the model's batch size. */
  readonly batchSize?: number;
}

export interface IncrementalUpdateSummary {
  readonly newItems: number;
  /** New-event positions learned (each once per epoch). */
  readonly targets: number;
  readonly replayTargets: number;
  readonly steps: number;
  readonly meanLoss: number;
  readonly trainMs: number;
}

/** Left-padded rows, as the model's trainStep takes them; -1 marks padding or a position not learned. */
interface Row {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
}

const PAD = -1;

/**
 * Windows of at most maxLength inputs that together make every position from `firstTarget` on a
 * target exactly once (a long run of new events is split, not truncated).
 */
export function sequenceRows(items: Int32Array, firstTarget: number, maxLength: number): Row[] {
  const rows: Row[] = [];
  let covered = items.length; // target indices >= covered are assigned to a row already
  const lowest = Math.max(1, firstTarget);
  while (covered > lowest) {
    const end = covered;
    const start = Math.max(0, end - maxLength - 1);
    const inputs = items.slice(start, end - 1);
    const targets = items.slice(start + 1, end);
    for (let i = 0; i < targets.length; i += 1) if (start + 1 + i < lowest) targets[i] = PAD;
    rows.push({ inputs, targets });
    covered = start + 1;
  }
  return rows;
}

function toBatch(rows: readonly Row[]): {
  size: number;
  length: number;
  inputs: Int32Array;
  targets: Int32Array;
} {
  const length = Math.max(...rows.map((row) => row.inputs.length));
  const inputs = new Int32Array(rows.length * length).fill(PAD);
  const targets = new Int32Array(rows.length * length).fill(PAD);
  rows.forEach((row, r) => {
    const offset = r * length + (length - row.inputs.length);
    inputs.set(row.inputs, offset);
    targets.set(row.targets, offset);
  });
  return { size: rows.length, length, inputs, targets };
}

function countTargets(rows: readonly Row[]): number {
  let n = 0;
  for (const row of rows) for (const target of row.targets) if (target !== PAD) n += 1;
  return n;
}

export function updateSequenceModel(
  model: SequenceRecommender,
  index: ItemIndex,
  sequences: readonly UpdateSequence[],
  replay: readonly UpdateSequence[],
  options: IncrementalUpdateOptions,
): IncrementalUpdateSummary {
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `incremental update: epochs must be >= 1, got ${options.epochs}`,
    );
  if (index.size !== model.numItems)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `incremental update: the id map has ${index.size} items, the model ${model.numItems}`,
    );
  const before = index.size;
  const encode = (sequence: UpdateSequence): Int32Array =>
    Int32Array.from([...sequence.context, ...sequence.learn], (id) => index.admit(id));
  const maxLength = model.hyper.maxLength;
  const fresh = sequences.flatMap((s) => sequenceRows(encode(s), s.context.length, maxLength));
  const old = replay.flatMap((s) => sequenceRows(encode(s), s.context.length, maxLength));
  if (index.size > before) model.addItems({ ...model.catalogue, numItems: index.size });

  const rows = [...fresh, ...old];
  const summary = {
    newItems: index.size - before,
    targets: countTargets(fresh),
    replayTargets: countTargets(old),
  };
  if (rows.length === 0) return { ...summary, steps: 0, meanLoss: 0, trainMs: 0 };

  const random = createRandom(options.seed);
  const negatives = new Int32Array(model.hyper.negatives);
  const nextSeed = (): number => random.int(2 ** 31);
  const batchSize = options.batchSize ?? model.hyper.batchSize;
  const started = performance.now();
  let steps = 0;
  let lossSum = 0;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    // Similar lengths together (less padding), then the batches in a seeded random order.
    const order = random.shuffle(rows.slice()).sort((a, b) => a.inputs.length - b.inputs.length);
    const batches: Row[][] = [];
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    for (const batch of random.shuffle(batches)) {
      for (let i = 0; i < negatives.length; i += 1) negatives[i] = random.int(model.numItems);
      lossSum += model.trainStep(toBatch(batch), { negatives, nextSeed });
      steps += 1;
    }
  }
  return { ...summary, steps, meanLoss: lossSum / steps, trainMs: performance.now() - started };
}
