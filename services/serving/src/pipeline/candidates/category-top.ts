/**
 * Candidates from category top lists: the categories the shopper is drawn to (affinities) and the
 * category of the page. Each list is normalised by its best item and weighted by how much the
 * shopper cares for the category relative to their favourite one.
 */
import type { Affinity, PopularItem } from '@recstream/features';
import type { Candidate, CandidateSource } from '../types.js';

export interface WeightedCategory {
  readonly category: string;
  readonly weight: number;
}

/** The shopper's `max` strongest categories, weighted relative to the strongest. */
export function affinityCategories(affinities: readonly Affinity[], max: number): WeightedCategory[] {
  const top = affinities[0]?.score ?? 0;
  if (!(top > 0)) return [];
  return affinities
    .slice(0, max)
    .filter((a) => a.score > 0)
    .map((a) => ({ category: a.name, weight: a.score / top }));
}

export function categoryCandidates(
  lists: readonly { readonly category: WeightedCategory; readonly items: readonly PopularItem[] }[],
  source: CandidateSource,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const { category, items } of lists) {
    const top = items[0]?.score ?? 0;
    if (!(top > 0)) continue;
    for (const item of items) {
      candidates.push({
        itemId: item.itemId,
        source,
        score: (category.weight * item.score) / top,
        reason: { code: 'popular_in_category', category: category.category },
      });
    }
  }
  return candidates;
}
