/**
 * Candidates from the global popularity list: the popular flow's only source, the cold-start
 * answer, the floor that keeps every answer full when the other sources have little to say, and
 * what the fallback answers with (so it sits beside the pipeline, not among the flows' sources).
 */
import type { PopularItem } from '@recstream/features';
import type { Candidate } from './types.js';

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
