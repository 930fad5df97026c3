/**
 * Candidates from the trending list. Only items gaining interest (a ratio above 1) are proposed,
 * scored by how far above steady they are, so "trending now" is never said of a cooling item.
 */
import type { TrendingItem } from '@recstream/features';
import type { Candidate } from '../types.js';

export function trendingCandidates(items: readonly TrendingItem[]): Candidate[] {
  return items
    .filter((item) => item.score > 1)
    .map((item) => ({
      itemId: item.itemId,
      source: 'trending' as const,
      score: item.score - 1,
      reason: { code: 'trending_now' as const },
    }));
}
