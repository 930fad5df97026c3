/**
 * Re-ranking text matches for the shopper. Text relevance stays the main signal; the shopper's
 * taste and the item's popularity can only multiply it, by a bounded factor:
 *
 *   score = rel × (1 + w_a · affinity + w_p · pop)
 *
 * - rel      = BM25 relevance / the best relevance among the matches (so in (0, 1]);
 * - affinity = 0.6 · category + 0.4 · brand, each in [0, 1]: the shopper's decayed affinity for the
 *              item's category (full credit) or a sibling category under the same parent (half),
 *              and for its brand, each divided by the shopper's strongest affinity of that kind;
 * - pop      = log(1 + popularity) / log(1 + the highest popularity among the matches), in [0, 1];
 * - w_a, w_p = REC_SERVING_SEARCH_AFFINITY_WEIGHT (0.5) and _POPULARITY_WEIGHT (0.2).
 *
 * With the defaults an item can climb over a better text match only when its relevance is within
 * a factor 1.7 of it: a shopper who likes Acme sees Acme's lipsticks first among lipsticks, never
 * an Acme tent for "lipstick". Without a shopper (or with no affinities) affinity is 0 and the
 * order is relevance with popularity as the tie-breaker it should be.
 */
import type { Affinity, ItemMeta } from '@recstream/features';

export interface RerankWeights {
  readonly affinity: number;
  readonly popularity: number;
}

export const DEFAULT_RERANK_WEIGHTS: RerankWeights = { affinity: 0.5, popularity: 0.2 };

const CATEGORY_SHARE = 0.6;
const BRAND_SHARE = 0.4;
/** Credit for a category sharing the parent of one the shopper likes. */
const SIBLING_CREDIT = 0.5;

/** The shopper's affinities, each scaled so the strongest of its kind is 1. */
export interface ShopperTaste {
  readonly categories: ReadonlyMap<string, number>;
  readonly brands: ReadonlyMap<string, number>;
}

export function tasteOf(categories: readonly Affinity[], brands: readonly Affinity[]): ShopperTaste {
  const scaled = (list: readonly Affinity[]) => {
    const top = Math.max(0, ...list.map((a) => a.score));
    return new Map(top > 0 ? list.map((a) => [a.name, a.score / top] as const) : []);
  };
  return { categories: scaled(categories), brands: scaled(brands) };
}

const SEPARATOR = ' > ';

function parentOf(category: string): string {
  const cut = category.lastIndexOf(SEPARATOR);
  return cut < 0 ? '' : category.slice(0, cut);
}

/** How much the shopper is drawn to the item, in [0, 1]. */
export function affinityOf(meta: ItemMeta, taste: ShopperTaste): number {
  let category = taste.categories.get(meta.category) ?? 0;
  const parent = parentOf(meta.category);
  if (parent !== '') {
    for (const [name, score] of taste.categories) {
      if (parentOf(name) === parent) category = Math.max(category, SIBLING_CREDIT * score);
    }
  }
  const brand = meta.brand === '' ? 0 : (taste.brands.get(meta.brand) ?? 0);
  return CATEGORY_SHARE * category + BRAND_SHARE * brand;
}

export interface Match {
  readonly meta: ItemMeta;
  readonly relevance: number;
}

export interface Ranked extends Match {
  /** rel: relevance scaled so the best match is 1. */
  readonly relevance: number;
  readonly score: number;
  readonly affinity: number;
}

/** The matches in their final order (ties: relevance, then item id, so answers are stable). */
export function rerank(
  matches: readonly Match[],
  popularity: ReadonlyMap<string, number>,
  taste: ShopperTaste | undefined,
  weights: RerankWeights,
): Ranked[] {
  const topRelevance = Math.max(0, ...matches.map((m) => m.relevance));
  const topPopularity = Math.max(0, ...matches.map((m) => popularity.get(m.meta.itemId) ?? 0));
  const ranked = matches.map((match): Ranked => {
    const relevance = topRelevance > 0 ? match.relevance / topRelevance : 0;
    const pop =
      topPopularity > 0 ? Math.log1p(popularity.get(match.meta.itemId) ?? 0) / Math.log1p(topPopularity) : 0;
    const affinity = taste === undefined ? 0 : affinityOf(match.meta, taste);
    return {
      meta: match.meta,
      relevance,
      affinity,
      score: relevance * (1 + weights.affinity * affinity + weights.popularity * pop),
    };
  });
  return ranked.sort(
    (a, b) =>
      b.score - a.score ||
      b.relevance - a.relevance ||
      (a.meta.itemId < b.meta.itemId ? -1 : a.meta.itemId > b.meta.itemId ? 1 : 0),
  );
}
