/**
 * Per-list metric formulas, kept pure so tests can check them against hand-computed values.
 * Relevance is binary: an item is relevant when it is one of the case's targets.
 */

/** DCG of a binary relevance list: Σ 1 / log2(rank + 1) over the relevant ranks (1-based). */
function dcgDiscount(rank: number): number {
  return 1 / Math.log2(rank + 1);
}

/** The best DCG reachable with `relevant` relevant items in a list of length `k`. */
export function idealDcg(relevant: number, k: number): number {
  let total = 0;
  for (let rank = 1; rank <= Math.min(relevant, k); rank += 1) total += dcgDiscount(rank);
  return total;
}

export interface ListMetrics {
  readonly hits: number;
  readonly hitRate: number;
  readonly recall: number;
  readonly precision: number;
  readonly ndcg: number;
}

/**
 * Metrics of the first `k` items of `ranked` (best first) against `relevant` distinct relevant
 * items, `isRelevant(item)` telling which. Precision divides by `k` even when fewer items were
 * ranked (as microsoft/recommenders does); NDCG's ideal DCG is over min(relevant, k) ranks.
 */
export function listMetrics(
  ranked: Int32Array,
  k: number,
  relevant: number,
  isRelevant: (item: number) => boolean,
): ListMetrics {
  if (relevant < 1) throw new RangeError('a case needs at least one relevant item');
  let hits = 0;
  let dcg = 0;
  const length = Math.min(k, ranked.length);
  for (let position = 0; position < length; position += 1) {
    if (isRelevant(ranked[position] ?? -1)) {
      hits += 1;
      dcg += dcgDiscount(position + 1);
    }
  }
  return {
    hits,
    hitRate: hits > 0 ? 1 : 0,
    recall: hits / relevant,
    precision: hits / k,
    ndcg: dcg / idealDcg(relevant, k),
  };
}

/**
 * Jaccard similarity |A ∩ B| / |A ∪ B| of two attribute sets given as sorted, duplicate-free
 * arrays. Two items without any attributes are taken as unrelated (similarity 0): nothing says
 * they are alike.
 */
export function jaccard(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      common += 1;
      i += 1;
      j += 1;
    } else if (x < y) i += 1;
    else j += 1;
  }
  const union = a.length + b.length - common;
  return union === 0 ? 0 : common / union;
}

/**
 * Intra-list diversity: the mean over all pairs of the list of (1 − Jaccard similarity of their
 * attribute sets). 0 = every item has the same attributes, 1 = no two items share one. Undefined
 * (NaN) for lists shorter than two.
 */
export function intraListDiversity(list: Int32Array, attributes: readonly Int32Array[]): number {
  let pairs = 0;
  let dissimilarity = 0;
  const empty = new Int32Array();
  for (let i = 0; i < list.length; i += 1) {
    const a = attributes[list[i] ?? -1] ?? empty;
    for (let j = i + 1; j < list.length; j += 1) {
      dissimilarity += 1 - jaccard(a, attributes[list[j] ?? -1] ?? empty);
      pairs += 1;
    }
  }
  return pairs === 0 ? Number.NaN : dissimilarity / pairs;
}

/**
 * Self-information −log2 p(i) of every item, p(i) being its Laplace-smoothed share of training
 * interactions, (count_i + 1) / (Σ counts + numItems): a never-seen item is the most novel but
 * stays finite. Novelty@K is the mean of this over a top-K list.
 */
export function selfInformation(itemPopularity: Float64Array): Float64Array {
  let total = 0;
  for (const count of itemPopularity) {
    if (!(count >= 0)) throw new RangeError(`item popularity must be non-negative counts, got ${count}`);
    total += count;
  }
  const denominator = total + itemPopularity.length;
  return itemPopularity.map((count) => -Math.log2((count + 1) / denominator));
}
