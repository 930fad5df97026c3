/**
 * Item-based nearest neighbours on user co-occurrence (item co-visitation). Two items are similar
 * when the same users interacted with both; each item keeps only its top-N neighbours (sparse, so
 * memory is numItems × N whatever the catalog size). A user's score for item j is the sum, over
 * their history items h, of weight(h) × sim(h, j), where weight decays with how far back h is.
 *
 * Similarities on co-occurrence count C(i, j) and item user-counts c(i):
 * - cosine: C / sqrt(c(i) c(j)), the classic item-KNN;
 * - jaccard: C / (c(i) + c(j) − C), what SAR uses.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  checkTrainingData,
  distinctItems,
  itemCounts,
  type Recommender,
  type ScoreQuery,
  type TrainContext,
  type UserSequence,
} from '@recstream/models';

export type ItemSimilarity = 'cosine' | 'jaccard';

export interface ItemKnnOptions {
  readonly similarity: ItemSimilarity;
  /** Neighbours kept per item. */
  readonly neighbours: number;
  /**
   * Weight of a history item `d` steps before the most recent one is `recencyDecay^d`: 1 weighs
   * the whole history equally (right for unordered feedback), below 1 favours what the user did
   * last (right for next-item prediction).
   */
  readonly recencyDecay: number;
}

export const ITEM_KNN_DEFAULTS: ItemKnnOptions = { similarity: 'cosine', neighbours: 100, recencyDecay: 1 };

/** Neighbour lists in CSR form: item i's neighbours are at offsets[i]..offsets[i+1]. */
export interface NeighbourGraph {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly weights: Float32Array;
}

export class ItemKnnRecommender implements Recommender {
  readonly name = 'itemknn';
  readonly numItems: number;
  private readonly tieBreak: Float32Array;

  /**
   * `popularity` only breaks ties: items with no similarity evidence for a user (the usual case
   * for short histories) are ordered by popularity instead of by index. Its scale (≤ 1e-9) is
   * far below the similarity of any co-occurring pair in catalogs of realistic size (a single
   * co-occurrence of two items each seen by a million users is 1e-6), so it never reorders
   * items that have evidence, unless a strong recency decay has shrunk it that far.
   */
  constructor(
    readonly graph: NeighbourGraph,
    popularity: Float64Array,
    private readonly recencyDecay: number,
  ) {
    this.numItems = graph.offsets.length - 1;
    let max = 0;
    for (const count of popularity) max = Math.max(max, count);
    this.tieBreak = Float32Array.from(popularity, (count) => (max === 0 ? 0 : (1e-9 * count) / max));
  }

  scoreAll(queries: readonly ScoreQuery[]): Promise<Float32Array> {
    const { numItems, graph, recencyDecay } = this;
    const out = new Float32Array(queries.length * numItems);
    for (const [row, { history }] of queries.entries()) {
      const base = row * numItems;
      out.set(this.tieBreak, base);
      let weight = 1;
      for (let position = history.length - 1; position >= 0; position -= 1) {
        const item = history[position] ?? -1;
        if (item < 0 || item >= numItems)
          throw new RangeError(`history item ${item} outside 0..${numItems - 1}`);
        const end = graph.offsets[item + 1] ?? 0;
        for (let edge = graph.offsets[item] ?? 0; edge < end; edge += 1) {
          const neighbour = graph.items[edge] ?? 0;
          out[base + neighbour] = (out[base + neighbour] ?? 0) + weight * (graph.weights[edge] ?? 0);
        }
        weight *= recencyDecay;
      }
    }
    return Promise.resolve(out);
  }
}

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, message);
}

/**
 * Builds the neighbour graph. Cost: Σ over users of (distinct items)², done item by item with
 * one scratch row, so memory stays O(numItems + edges).
 */
export function trainItemKnn(
  train: readonly UserSequence[],
  numItems: number,
  context: TrainContext,
  options: ItemKnnOptions = ITEM_KNN_DEFAULTS,
): ItemKnnRecommender {
  checkTrainingData(train, numItems);
  const { similarity, neighbours, recencyDecay } = options;
  if (!Number.isInteger(neighbours) || neighbours < 1)
    throw invalid(`neighbours must be a positive integer, got ${neighbours}`);
  if (!(recencyDecay > 0 && recencyDecay <= 1))
    throw invalid(`recencyDecay must be in (0, 1], got ${recencyDecay}`);

  // Users per item (CSR), from each user's distinct items.
  const userItems = train.map(({ items }) => distinctItems(items));
  const userCount = new Int32Array(numItems);
  for (const items of userItems) for (const item of items) userCount[item] = (userCount[item] ?? 0) + 1;
  const userOffsets = new Int32Array(numItems + 1);
  for (let item = 0; item < numItems; item += 1)
    userOffsets[item + 1] = (userOffsets[item] ?? 0) + (userCount[item] ?? 0);
  const usersOf = new Int32Array(userOffsets[numItems] ?? 0);
  const fill = userOffsets.slice(0, numItems);
  for (const [user, items] of userItems.entries())
    for (const item of items) {
      usersOf[fill[item] ?? 0] = user;
      fill[item] = (fill[item] ?? 0) + 1;
    }

  const cooccurrence = new Float64Array(numItems);
  const touched = new Int32Array(numItems);
  const offsets = new Int32Array(numItems + 1);
  const neighbourItems: number[] = [];
  const neighbourWeights: number[] = [];
  const progressEvery = Math.max(1, Math.floor(numItems / 100));
  for (let item = 0; item < numItems; item += 1) {
    let touchedCount = 0;
    const end = userOffsets[item + 1] ?? 0;
    for (let edge = userOffsets[item] ?? 0; edge < end; edge += 1) {
      for (const other of userItems[usersOf[edge] ?? 0] ?? []) {
        if (other === item) continue;
        if (cooccurrence[other] === 0) touched[touchedCount++] = other;
        cooccurrence[other] = (cooccurrence[other] ?? 0) + 1;
      }
    }
    const ci = userCount[item] ?? 0;
    const candidates = Array.from(touched.subarray(0, touchedCount), (other) => {
      const both = cooccurrence[other] ?? 0;
      const cj = userCount[other] ?? 0;
      cooccurrence[other] = 0;
      const weight = similarity === 'cosine' ? both / Math.sqrt(ci * cj) : both / (ci + cj - both);
      return { other, weight };
    });
    candidates.sort((a, b) => b.weight - a.weight || a.other - b.other);
    for (const { other, weight } of candidates.slice(0, neighbours)) {
      neighbourItems.push(other);
      neighbourWeights.push(weight);
    }
    offsets[item + 1] = neighbourItems.length;
    if (item % progressEvery === 0) context.onProgress?.(item + 1, numItems);
  }
  context.onProgress?.(numItems, numItems);
  return new ItemKnnRecommender(
    { offsets, items: Int32Array.from(neighbourItems), weights: Float32Array.from(neighbourWeights) },
    itemCounts(train, numItems),
    recencyDecay,
  );
}
