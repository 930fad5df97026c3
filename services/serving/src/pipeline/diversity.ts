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
  while (shared < depth && a.categoryPath[shared] === b.categoryPath[shared]) shared += 1;
  const category = depth === 0 ? 0 : shared / depth;
  const brand = a.brand !== '' && a.brand === b.brand ? 1 : 0;
  return CATEGORY_SHARE * category + (1 - CATEGORY_SHARE) * brand;
}

/** The first `k` items of `ranked` (best first) re-ordered by MMR with trade-off `lambda` in [0, 1]. */
export function diversify(
  ranked: readonly CatalogCandidate[],
  k: number,
  lambda: number,
): CatalogCandidate[] {
  if (!(lambda >= 0 && lambda <= 1))
    throw new RangeError(`diversity lambda must be in [0, 1], got ${lambda}`);
  if (lambda === 1 || ranked.length <= 1) return ranked.slice(0, k);
  // Relevance in [0, 1] so that it is commensurate with similarity.
  const max = Math.max(...ranked.map((c) => c.score));
  const relevance = ranked.map((c, i) => (max > 0 ? Math.max(c.score, 0) / max : 1 / (1 + i)));
  const chosen: CatalogCandidate[] = [];
  const maxSim = ranked.map(() => 0);
  const taken = ranked.map(() => false);
  while (chosen.length < Math.min(k, ranked.length)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < ranked.length; i += 1) {
      if (taken[i] === true) continue;
      const value = lambda * (relevance[i] ?? 0) - (1 - lambda) * (maxSim[i] ?? 0);
      if (value > bestValue) [best, bestValue] = [i, value];
    }
    const pick = ranked[best];
    if (pick === undefined) break;
    taken[best] = true;
    chosen.push(pick);
    for (let i = 0; i < ranked.length; i += 1) {
      const other = ranked[i];
      if (taken[i] === true || other === undefined) continue;
      maxSim[i] = Math.max(maxSim[i] ?? 0, similarity(pick.meta, other.meta));
    }
  }
  return chosen;
}
