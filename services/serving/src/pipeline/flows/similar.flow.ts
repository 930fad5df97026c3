/**
 * Items similar to one item: those viewed in the same sessions ("often viewed with"); for an item
 * too new to have any, the top of its own category; for an item the catalog does not know,
 * popular items.
 */
import { categoryCandidates } from '../candidates/category-top.js';
import { covisitContextCandidates } from '../candidates/covisit.js';
import { popularCandidates } from '../candidates/popular.js';
import type { FilterSpec } from '../filters.js';
import { depthFor, popularDepthFor, type Answer, type FlowRuntime } from '../runtime.js';

export function similarItems(runtime: FlowRuntime, itemId: string, k: number): Promise<Answer> {
  const depth = depthFor(k);
  const filter: FilterSpec = { excludeIds: new Set([itemId]) };
  return runtime.answer(
    { flow: 'similar', k, filter, rules: runtime.settings.rules, contextItemId: itemId },
    async (reader, deadline) => {
      const [neighbours, own, popular] = await runtime.timed('read_context', () =>
        deadline.within(
          Promise.all([
            reader.covisit([itemId], depth),
            reader.meta([itemId]),
            reader.popular(popularDepthFor(k)),
          ]),
        ),
      );
      // The item's own category is the cold start for an item nobody has viewed with others yet.
      const category = own.get(itemId)?.category;
      const categoryTop =
        category === undefined || category === ''
          ? []
          : await runtime.timed('read_candidates', () =>
              deadline.within(reader.categoryTop(category, depth)),
            );
      const candidates = [
        ...neighbours.flatMap((list) => covisitContextCandidates(list, 'viewed_together')),
        ...(category === undefined
          ? []
          : categoryCandidates(
              [{ category: { category, weight: 1 }, items: categoryTop }],
              'category_context',
            )),
        ...popularCandidates(popular),
      ];
      const read = await runtime.readMeta(reader, deadline, k, candidates, 'similar', [
        ...popular.map((p) => p.itemId),
        ...(runtime.settings.rules.pin ?? []),
        itemId,
      ]);
      return { ...read, popular };
    },
  );
}
