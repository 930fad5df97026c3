/**
 * Items similar to one item: those viewed in the same sessions ("often viewed with"); for an item
 * too new to have any, the top of its own category; for an item the catalog does not know,
 * popular items.
 */
import type { PopularItem } from '@recstream/features';
import { categoryCandidates } from '../candidates/category-top.js';
import { covisitContextCandidates } from '../candidates/covisit.js';
import type { FilterSpec } from '../filters.js';
import { depthFor, popularDepthFor, type FlowPlan } from '../plan.js';
import { popularCandidates } from '../popular-candidates.js';
import type { PipelineSettings } from '../settings.js';
import type { Candidate } from '../types.js';

export function similarPlan(settings: PipelineSettings, itemId: string, k: number): FlowPlan {
  const depth = depthFor(k);
  const filter: FilterSpec = { excludeIds: new Set([itemId]) };
  return {
    flow: 'similar',
    k,
    filter,
    ordering: { by: 'ranked', weights: settings.weights.similar, rules: settings.rules, explore: false },
    contextItemId: itemId,
    depth,
    read: async (reader) => {
      const [neighbours, own, popular] = await Promise.all([
        reader.covisit([itemId], depth),
        reader.meta([itemId]),
        reader.popular(popularDepthFor(k)),
      ]);
      // The item's own category is the cold start for an item nobody has viewed with others yet.
      const category = own.get(itemId)?.category;
      const candidates = (categoryTop: readonly PopularItem[]): Candidate[] => [
        ...neighbours.flatMap((list) => covisitContextCandidates(list, 'viewed_together')),
        ...(category === undefined
          ? []
          : categoryCandidates(
              [{ category: { category, weight: 1 }, items: categoryTop }],
              'category_context',
            )),
        ...popularCandidates(popular),
      ];
      const mentions = [itemId];
      if (category === undefined || category === '') return { candidates: candidates([]), mentions, popular };
      return {
        candidates: [],
        mentions,
        popular,
        next: async (reader) => ({ candidates: candidates(await reader.categoryTop(category, depth)) }),
      };
    },
  };
}
