/**
 * Selection over one row of scores with a mask, in one pass and without sorting the row: a
 * bounded min-heap keeps the K best, so a user costs O(n log K) instead of O(n log n). Ties go to
 * the lower item index everywhere (here and in `rankOf`), so rankings are deterministic and the
 * two functions agree.
 */

function nanError(item: number): Error {
  return new RangeError(`score of item ${item} is NaN; a recommender must return finite or ±Infinity scores`);
}

/** Whether (scoreA, itemA) ranks before (scoreB, itemB). */
function before(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
  return scoreA > scoreB || (scoreA === scoreB && itemA < itemB);
}

/**
 * The (at most) `k` best unmasked items of `scores`, best first. `masked[i] !== 0` excludes item
 * i. Fewer than `k` come back only when fewer than `k` items are unmasked.
 */
export function selectTopK(scores: ArrayLike<number>, k: number, masked?: Uint8Array): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const heapItems = new Int32Array(k);
  const heapScores = new Float64Array(k);
  let size = 0;
  const n = scores.length;
  for (let item = 0; item < n; item += 1) {
    if (masked !== undefined && masked[item] !== 0) continue;
    const score = scores[item] ?? Number.NaN;
    if (Number.isNaN(score)) throw nanError(item);
    if (size === k) {
      // The root is the worst kept item; items come in ascending order, so a tie loses to it.
      if (!(score > (heapScores[0] ?? 0))) continue;
      heapItems[0] = item;
      heapScores[0] = score;
      siftDown(heapItems, heapScores, size);
    } else {
      heapItems[size] = item;
      heapScores[size] = score;
      size += 1;
      siftUp(heapItems, heapScores, size - 1);
    }
  }
  const order = Array.from({ length: size }, (_, index) => index).sort((a, b) =>
    before(heapScores[a] ?? 0, heapItems[a] ?? 0, heapScores[b] ?? 0, heapItems[b] ?? 0) ? -1 : 1,
  );
  return Int32Array.from(order, (index) => heapItems[index] ?? -1);
}

/** Min-heap on "ranks later": the root is the item that would be dropped first. */
function worse(items: Int32Array, scores: Float64Array, a: number, b: number): boolean {
  return before(scores[b] ?? 0, items[b] ?? 0, scores[a] ?? 0, items[a] ?? 0);
}

function swap(items: Int32Array, scores: Float64Array, a: number, b: number): void {
  const item = items[a] ?? 0;
  items[a] = items[b] ?? 0;
  items[b] = item;
  const score = scores[a] ?? 0;
  scores[a] = scores[b] ?? 0;
  scores[b] = score;
}

function siftUp(items: Int32Array, scores: Float64Array, start: number): void {
  let child = start;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!worse(items, scores, child, parent)) return;
    swap(items, scores, child, parent);
    child = parent;
  }
}

function siftDown(items: Int32Array, scores: Float64Array, size: number): void {
  let parent = 0;
  for (;;) {
    const left = 2 * parent + 1;
    if (left >= size) return;
    const right = left + 1;
    const child = right < size && worse(items, scores, right, left) ? right : left;
    if (!worse(items, scores, child, parent)) return;
    swap(items, scores, child, parent);
    parent = child;
  }
}

/**
 * 1-based position of `item` in the full ranking of unmasked items (same order as `selectTopK`):
 * one plus the number of unmasked items that rank before it.
 */
export function rankOf(scores: ArrayLike<number>, item: number, masked?: Uint8Array): number {
  const target = scores[item] ?? Number.NaN;
  if (Number.isNaN(target)) throw nanError(item);
  let ahead = 0;
  const n = scores.length;
  for (let other = 0; other < n; other += 1) {
    if (masked !== undefined && masked[other] !== 0) continue;
    const score = scores[other] ?? 0;
    if (score > target || (score === target && other < item)) ahead += 1;
  }
  return ahead + 1;
}
