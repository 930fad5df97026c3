/**
 * The feature service's reads, reconstructed offline from a dataset's training split, so the ranker
 * can be trained and measured on public data with the same feature code it serves with. Only what
 * the training period shows is used: item statistics count the training interactions, a shopper's
 * features come from the history given with the query (never a held-out item).
 *
 * What an implicit-feedback dataset such as Amazon Beauty (ordered reviews, no timestamps, no
 * impressions, attribute ids that do not say which is the brand) can and cannot supply:
 * - popularity = training interactions of the item (the decayed popularity's stand-in);
 * - category affinities = the attributes of the shopper's history, weighted 0.9^steps back from the
 *   newest (the 7-day time decay's stand-in, as there are no times), top 50 as the feature service;
 * - the shopper's purchases = the history (reviews follow purchases); the cart is empty;
 * - short-term popularity, trending, windowed counts and CTR have no source: they are left at the
 *   values the feature service reports for an item without such events (0, steady, 0, the prior),
 *   and no brand affinity is given (the missing indicator says so). The ranker learns nothing from
 *   these offline; they are there for the same layout online.
 */
import type { ScoreQuery } from '@recstream/models';
import type { AffinityInput, ItemStatsInput, ShopperInput } from './features.js';

/** The feature service's caps (packages/features bounds.ts): recent sequence and affinities kept. */
const SEQUENCE_MAX = 100;
const AFFINITY_MAX = 50;
/** Weight of a history item one step further back (affinity decay without timestamps). */
const AFFINITY_STEP_DECAY = 0.9;
/** The feature service's prior mean before any impression is reported (ctr.ts). */
const CTR_PRIOR_FALLBACK_MEAN = 0.02;

export interface OfflineItem {
  readonly itemId: string;
  readonly categories: readonly string[];
  readonly stats: ItemStatsInput;
}

export interface OfflineFeatureSource {
  readonly items: readonly OfflineItem[];
  shopper(query: ScoreQuery): ShopperInput;
}

/**
 * Builds the source from training-period item counts (`itemCounts` of the training split) and the
 * items' attribute ids. Attribute ids become category names (`a<id>`).
 */
export function offlineFeatureSource(
  trainingCounts: Float64Array,
  itemAttributes?: readonly Int32Array[],
): OfflineFeatureSource {
  const noEvents = { view: 0, add_to_cart: 0, purchase: 0, impression: 0 };
  const categoryNames = (item: number): string[] =>
    Array.from(itemAttributes?.[item] ?? [], (attribute) => `a${attribute}`);
  const items: OfflineItem[] = Array.from(trainingCounts, (count, item) => ({
    itemId: String(item),
    categories: categoryNames(item),
    stats: {
      popularity: count,
      shortPopularity: 0,
      trending: 1,
      counts: { '7d': noEvents },
      ctr: { '24h': CTR_PRIOR_FALLBACK_MEAN, '7d': CTR_PRIOR_FALLBACK_MEAN },
      ctrPrior: { mean: CTR_PRIOR_FALLBACK_MEAN },
    },
  }));

  return {
    items,
    shopper({ history }: ScoreQuery): ShopperInput {
      const sequence: { itemId: string }[] = [];
      const affinity = new Map<string, number>();
      let weight = 1;
      for (let position = history.length - 1; position >= 0; position -= 1) {
        const item = history[position] ?? -1;
        const known = items[item];
        if (known === undefined) throw new RangeError(`history item ${item} outside 0..${items.length - 1}`);
        if (sequence.length < SEQUENCE_MAX) sequence.push({ itemId: known.itemId });
        for (const name of known.categories) affinity.set(name, (affinity.get(name) ?? 0) + weight);
        weight *= AFFINITY_STEP_DECAY;
      }
      const categoryAffinities: AffinityInput[] = [...affinity]
        .map(([name, score]) => ({ name, score }))
        .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1))
        .slice(0, AFFINITY_MAX);
      return {
        sequence,
        categoryAffinities,
        brandAffinities: [],
        cart: [],
        purchased: sequence,
      };
    },
  };
}
