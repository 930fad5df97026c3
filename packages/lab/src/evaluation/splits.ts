/**
 * The two published protocols' splits. Both keep each user's training history in time order, so
 * sequence models see what happened before what.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { createRandom, type EvalCase, type InteractionDataset, type UserSequence } from '@recstream/models';

export interface LeaveOneOutSplit {
  /** Every user's sequence but its last two items (or all of it, for users with fewer than 3). */
  readonly train: UserSequence[];
  /** History = the train part, target = the second-to-last item. */
  readonly validation: EvalCase[];
  /** History = all but the last item (so the validation item too), target = the last item. */
  readonly test: EvalCase[];
}

function prefix(sequence: UserSequence, length: number): UserSequence {
  return {
    user: sequence.user,
    items: sequence.items.slice(0, length),
    ...(sequence.times === undefined ? {} : { times: sequence.times.slice(0, length) }),
  };
}

/**
 * Leave-one-out as in S3-Rec (and SASRec): per user, the last item is the test target, the one
 * before it the validation target, the rest is training data. Users with fewer than 3 items cannot
 * give both a validation and a test case; they stay in `train` whole and are not evaluated (the
 * 5-core Beauty data has none).
 */
export function leaveOneOutSplit(dataset: InteractionDataset): LeaveOneOutSplit {
  const train: UserSequence[] = [];
  const validation: EvalCase[] = [];
  const test: EvalCase[] = [];
  for (const sequence of dataset.sequences) {
    const n = sequence.items.length;
    if (n < 3) {
      train.push(sequence);
      continue;
    }
    const trainPart = prefix(sequence, n - 2);
    train.push(trainPart);
    validation.push({
      user: sequence.user,
      history: trainPart.items,
      targets: sequence.items.slice(n - 2, n - 1),
    });
    test.push({
      user: sequence.user,
      history: sequence.items.slice(0, n - 1),
      targets: sequence.items.slice(n - 1),
    });
  }
  return { train, validation, test };
}

export interface StratifiedSplitOptions {
  /** Share of each user's interactions that go to training, in (0, 1). */
  readonly trainRatio: number;
  readonly seed: number;
}

export interface StratifiedSplit {
  readonly train: UserSequence[];
  /** History = the user's training items (time order), targets = the held-out items (time order). */
  readonly test: EvalCase[];
}

/** numpy's `round`: halves go to the even neighbour (python_stratified_split rounds this way). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Per-user random split like microsoft/recommenders' `python_stratified_split`: each user's
 * interactions are shuffled (seeded) and the first round(ratio × n) go to training, the rest to
 * test; both parts are then put back in time order. Users whose held-out part is empty (tiny
 * histories) are in `train` only. Same seed, same split; the draws do not depend on `Math.random`.
 */
export function stratifiedSplit(
  dataset: InteractionDataset,
  options: StratifiedSplitOptions,
): StratifiedSplit {
  const { trainRatio, seed } = options;
  if (!(trainRatio > 0 && trainRatio < 1))
    throw new PermanentError(ERROR_CODES.invalidInput, `trainRatio must be in (0, 1), got ${trainRatio}`);
  const random = createRandom(seed);
  const train: UserSequence[] = [];
  const test: EvalCase[] = [];
  for (const sequence of dataset.sequences) {
    const n = sequence.items.length;
    const trainCount = roundHalfEven(trainRatio * n);
    const order = random.shuffle(Int32Array.from({ length: n }, (_, index) => index));
    const trainPositions = order.subarray(0, trainCount).sort();
    const testPositions = order.subarray(trainCount).sort();
    const items = Int32Array.from(trainPositions, (position) => sequence.items[position] ?? -1);
    const { times } = sequence;
    train.push({
      user: sequence.user,
      items,
      ...(times === undefined
        ? {}
        : { times: Float64Array.from(trainPositions, (position) => times[position] ?? 0) }),
    });
    if (testPositions.length > 0)
      test.push({
        user: sequence.user,
        history: items,
        targets: Int32Array.from(testPositions, (position) => sequence.items[position] ?? -1),
      });
  }
  return { train, test };
}
