/**
 * Complements of a cart: items bought in the same orders as its items, co-viewed items as a filler
 * for carts nobody has bought with anything yet, popular items last. Items of the cart's own leaf
 * categories are substitutes and are demoted.
 */
import { boughtTogetherCandidates } from '../candidates/bought-together.js';
import { covisitContextCandidates } from '../candidates/covisit.js';
import type { FilterSpec } from '../filters.js';
import { depthFor, popularDepthFor, type FlowPlan } from '../plan.js';
import { popularCandidates } from '../popular-candidates.js';
import type { PipelineSettings } from '../settings.js';

export function complementsPlan(
  settings: PipelineSettings,
  cartItemIds: readonly string[],
  k: number,
): FlowPlan {
  const cart = [...new Set(cartItemIds)];
  const depth = depthFor(k);
  const filter: FilterSpec = { excludeIds: new Set(cart) };
  return {
    flow: 'complements',
    k,
    filter,
    ordering: { by: 'ranked', weights: settings.weights.complements, rules: settings.rules, explore: false },
    depth,
    read: async (reader) => {
      const [bought, viewed, cartMeta, popular] = await Promise.all([
        reader.boughtTogether(cart, depth),
        reader.covisit(cart, depth),
        reader.meta(cart),
        reader.popular(popularDepthFor(k)),
      ]);
      // Items of the cart's own leaf categories are substitutes, not complements: demoted, not
      // removed, so a cart with nothing bought alongside still gets an answer.
      const categories = [...new Set([...cartMeta.values()].map((m) => m.category).filter((c) => c !== ''))];
      return {
        candidates: [
          ...boughtTogetherCandidates(bought),
          // Co-viewed items fill in for a cart nobody has bought with anything yet.
          ...viewed.flatMap((list) => covisitContextCandidates(list, 'viewed_together')),
          ...popularCandidates(popular),
        ],
        mentions: cart,
        popular,
        boost:
          categories.length === 0
            ? []
            : [{ match: { categories }, factor: settings.complementsSameCategoryFactor }],
      };
    },
  };
}
