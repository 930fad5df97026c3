/**
 * The most popular items now (time-decayed popularity from the feature service), best first, with
 * their popularity as the score: the shop-wide list, the same for every shopper, and the cold-start
 * answer. Only what can be sold is shown; no ranking, rules or diversity reorder it.
 */
import type { FilterSpec } from '../filters.js';
import { depthFor, popularDepthFor, type FlowPlan } from '../plan.js';
import { popularCandidates } from '../popular-candidates.js';

/** How many extra items to read, at most, to make up for unavailable ones. */
const UNAVAILABLE_SLACK = 50;

/** What the answer says ordered it. */
export const POPULARITY = 'popularity';

export function popularPlan(k: number): FlowPlan {
  const filter: FilterSpec = { excludeIds: new Set() };
  // Past k, so that items filtered out (not available) do not shorten the answer; at least what
  // the other flows read, so the fallback this refreshes stays as deep.
  const depth = Math.max(k + Math.min(k, UNAVAILABLE_SLACK), popularDepthFor(k));
  return {
    flow: 'popular',
    k,
    filter,
    ordering: { by: 'as_read', rankedBy: POPULARITY },
    depth: depthFor(k),
    read: async (reader) => {
      const popular = await reader.popular(depth);
      return { candidates: popularCandidates(popular), popular };
    },
  };
}
