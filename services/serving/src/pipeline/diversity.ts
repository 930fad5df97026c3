/**
 * Diversity by maximal marginal relevance: the next item is the one with the best
 * λ·relevance − (1 − λ)·(its highest similarity to an item already chosen), so a list does not
 * fill up with one category's or one brand's near-duplicates. λ = 1 keeps the ranking as is;
 * lower λ spreads more. Similarity comes from the catalog (shared category levels, same brand),
 * needs no model, and is deterministic: ties go to the better-ranked item.
 */
import type { ItemMeta } from '@recstream/features';
import type { CatalogCandidate } from './types.js';

/** Share of the similarity that comes from the category path; the rest from the brand. */
const CATEGORY_SHARE = 0.75;

/** 0 (nothing in common) … 1 (same category path and brand). */
export function similarity(a: ItemMeta, b: ItemMeta): number {
  const depth = Math.max(a.categoryPath.length, b.categoryPath.length);
  let shared = 0;
  // The in-memory catalog shares one path array per category: the same array is the same path.
  if (a.categoryPath === b.categoryPath) shared = depth;
  else while (shared < depth && a.categoryPath[shared] === b.categoryPath[shared]) shared += 1;
  const category = depth === 0 ? 0 : shared / depth;
  const brand = a.brand !== '' && a.brand === b.brand ? 1 : 0;
  return CATEGORY_SHARE * category + (1 - CATEGORY_SHARE) * brand;
}

/**
 * The first `k` items of `ranked` (best first) re-ordered by MMR with trade-off `lambda` in [0, 1].
 *
 * Exactly the textbook greedy MMR, without most of its work: a candidate's value is at most
 * λ·relevance (its penalty is never negative), so a pass stops at the first position from which no
 * candidate could beat the best value found; and a candidate's penalty is brought up to date with
 * the items chosen since it was last looked at only when a pass reaches it. For a top-20 of 150
 * candidates this compares a few hundred pairs instead of 3,000.
 */
export function diversify(
  ranked: readonly CatalogCandidate[],
  k: number,
  lambda: number,
): CatalogCandidate[] {
  if (!(lambda >= 0 && lambda <= 1))
    throw new RangeError(`diversity lambda must be in [0, 1], got ${lambda}`);
  if (lambda === 1 || ranked.length <= 1) return ranked.slice(0, k);
  const n = ranked.length;
  // Relevance in [0, 1] so that it is commensurate with similarity.
  let max = -Infinity;
  for (const c of ranked) max = Math.max(max, c.score);
  const relevance = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    relevance[i] = max > 0 ? Math.max((ranked[i] as CatalogCandidate).score, 0) / max : 1 / (1 + i);
  }
  // The best relevance at or after each position: the bound that ends a pass.
  const bestFrom = new Float64Array(n + 1);
  bestFrom[n] = -Infinity;
  for (let i = n - 1; i >= 0; i -= 1)
    bestFrom[i] = Math.max(relevance[i] as number, bestFrom[i + 1] as number);
  const maxSim = new Float64Array(n);
  /** How many of the chosen items each candidate's maxSim already accounts for. */
  const compared = new Int32Array(n);
  const taken = new Uint8Array(n);
  const chosen: CatalogCandidate[] = [];
  const want = Math.min(k, n);
  while (chosen.length < want) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i += 1) {
      if (lambda * (bestFrom[i] as number) <= bestValue) break;
      if (taken[i] === 1) continue;
      const candidate = ranked[i] as CatalogCandidate;
      let penalty = maxSim[i] as number;
      for (let c = compared[i] as number; c < chosen.length; c += 1) {
        penalty = Math.max(penalty, similarity((chosen[c] as CatalogCandidate).meta, candidate.meta));
      }
      maxSim[i] = penalty;
      compared[i] = chosen.length;
      const value = lambda * (relevance[i] as number) - (1 - lambda) * penalty;
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    chosen.push(ranked[best] as CatalogCandidate);
  }
  return chosen;
}
