/**
 * Complements of a cart: items bought in the same orders as its items, co-viewed items as a filler
 * for carts nobody has bought with anything yet, popular items last. Items of the cart's own leaf
 * categories are substitutes and are demoted.
 */
import { boughtTogetherCandidates } from '../candidates/bought-together.js';
import { covisitContextCandidates } from '../candidates/covisit.js';
import { popularCandidates } from '../candidates/popular.js';
import type { Deadline } from '../deadline.js';
import type { FeatureReader } from '../feature-reader.js';
import type { FilterSpec } from '../filters.js';
import { depthFor, popularDepthFor, type Answer, type FlowRuntime, type Gathered } from '../runtime.js';

export function complements(
  runtime: FlowRuntime,
  cartItemIds: readonly string[],
  k: number,
): Promise<Answer> {
  const cart = [...new Set(cartItemIds)];
  const depth = depthFor(k);
  const filter: FilterSpec = { excludeIds: new Set(cart) };
  const gather = async (reader: FeatureReader, deadline: Deadline): Promise<Gathered> => {
    const [bought, viewed, cartMeta, popular] = await runtime.timed('read_context', () =>
      deadline.within(
        Promise.all([
          reader.boughtTogether(cart, depth),
          reader.covisit(cart, depth),
          reader.meta(cart),
          reader.popular(popularDepthFor(k)),
        ]),
      ),
    );
    const candidates = [
      ...boughtTogetherCandidates(bought),
      // Co-viewed items fill in for a cart nobody has bought with anything yet.
      ...viewed.flatMap((list) => covisitContextCandidates(list, 'viewed_together')),
      ...popularCandidates(popular),
    ];
    const read = await runtime.readMeta(reader, deadline, k, candidates, 'complements', [
      ...popular.map((p) => p.itemId),
      ...(runtime.settings.rules.pin ?? []),
      ...cart,
    ]);
    // Items of the cart's own leaf categories are substitutes, not complements: demoted, not
    // removed, so a cart with nothing bought alongside still gets an answer.
    const categories = [...new Set([...cartMeta.values()].map((m) => m.category).filter((c) => c !== ''))];
    const boost =
      categories.length === 0
        ? []
        : [{ match: { categories }, factor: runtime.settings.complementsSameCategoryFactor }];
    return { ...read, popular, boost };
  };
  return runtime.answer({ flow: 'complements', k, filter, rules: runtime.settings.rules }, gather);
}
