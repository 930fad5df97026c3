/** Shared preparation of training sequences for the baselines. */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type { UserSequence } from './recommender.js';

/** What every baseline's `train*` function takes besides its own hyperparameters. */
export interface TrainContext {
  readonly seed: number;
  /** Called as training advances (epochs, items processed): for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Throws a clear error unless every item index is in 0..numItems-1 and every user index is >= 0. */
export function checkTrainingData(train: readonly UserSequence[], numItems: number): void {
  if (!Number.isInteger(numItems) || numItems < 1)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `numItems must be a positive integer, got ${numItems}`,
    );
  for (const { user, items } of train) {
    if (!Number.isInteger(user) || user < 0)
      throw new PermanentError(ERROR_CODES.invalidInput, `user index ${user} is not a non-negative integer`);
    for (const item of items)
      if (!(item >= 0 && item < numItems))
        throw new PermanentError(
          ERROR_CODES.invalidInput,
          `user ${user} has item ${item}, outside 0..${numItems - 1}`,
        );
  }
}

/** Interactions per item in `train` (repeats count): the popularity baseline and novelty use it. */
export function itemCounts(train: readonly UserSequence[], numItems: number): Float64Array {
  const counts = new Float64Array(numItems);
  for (const { items } of train) for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

/** Each user's distinct items, sorted: the positive sets of implicit-feedback models. */
export function distinctItems(items: Int32Array): Int32Array {
  return Int32Array.from(new Set(items)).sort();
}

/** Whether sorted `items` contains `item` (binary search). */
export function sortedHas(items: Int32Array, item: number): boolean {
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = items[middle] ?? 0;
    if (value === item) return true;
    if (value < item) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
