/**
 * Candidates from the global popularity list: the cold-start answer, and the floor that keeps
 * every answer full when the other sources have little to say.
 */
import type { PopularItem } from '@recstream/features';
import type { Candidate } from '../types.js';

export function popularCandidates(items: readonly PopularItem[]): Candidate[] {
  return items
    .filter((item) => item.score > 0)
    .map((item) => ({
      itemId: item.itemId,
      source: 'popular' as const,
      score: item.score,
      reason: { code: 'popular_now' as const },
    }));
}
