/**
 * The ranker's feature vector for one (shopper, candidate item, context) triple, computed for a
 * whole candidate list at once (some features compare a candidate with the rest of its list).
 *
 * Inputs are shaped like the feature service's reads (`@recstream/features`): `ShopperInput` is a
 * subset of `SubjectFeatures` (readSubjectFeatures), `ItemStatsInput` of `ItemStats`
 * (readItemStats), and the model scores are what retrieval hands over (sequence-model logit,
 * co-visitation score summed over the shopper's recent items, rank in the retrieval list). The
 * types are structural, so the feature service's objects fit without this package depending on it.
 *
 * The layout is fixed and versioned: a saved ranker records `RANKING_FEATURE_SCHEMA_VERSION` and
 * refuses to load under another one. Changing, adding or reordering a feature means a new version.
 * Every value is finite; an absent input gives a neutral value plus an explicit `*_missing`
 * indicator, so the model can tell "unknown" from "zero".
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';

export const RANKING_FEATURE_SCHEMA_VERSION = 'r1';

/** Where the list is shown; `other` is every page type without its own indicator. */
export const PAGE_TYPES = ['home', 'product', 'cart', 'category', 'search', 'other'] as const;
export type PageType = (typeof PAGE_TYPES)[number];

export interface RankingContext {
  readonly pageType: PageType;
  /**
   * Slot the item was shown in (0 = first) for logged impressions, where position explains part of
   * the clicks. Leave undefined when ranking to serve (the slot is not known yet): the indicator
   * then says so and the model scores without position bias.
   */
  readonly position?: number | undefined;
}

/** A category (path joined with ' > ') or brand with the shopper's decayed affinity score. */
export interface AffinityInput {
  readonly name: string;
  readonly score: number;
}

/** The shopper's features: a subset of the feature service's `SubjectFeatures`. */
export interface ShopperInput {
  /** Recent interactions, newest first. */
  readonly sequence: readonly { readonly itemId: string }[];
  readonly categoryAffinities: readonly AffinityInput[];
  readonly brandAffinities: readonly AffinityInput[];
  readonly cart: readonly { readonly itemId: string }[];
  readonly purchased: readonly { readonly itemId: string }[];
}

interface WindowCountsInput {
  readonly view: number;
  readonly add_to_cart: number;
  readonly purchase: number;
  readonly impression: number;
}

/** An item's statistics: a subset of the feature service's `ItemStats`. */
export interface ItemStatsInput {
  /** Event weight received, decayed (τ 24 h). */
  readonly popularity: number;
  /** The same with τ 1 h. */
  readonly shortPopularity: number;
  /** Short- over long-term rate, 1 = steady (positive). */
  readonly trending: number;
  readonly counts: { readonly '7d': WindowCountsInput };
  /** Smoothed CTRs (towards `ctrPrior.mean`). */
  readonly ctr: { readonly '24h': number; readonly '7d': number };
  readonly ctrPrior: { readonly mean: number };
}

/** Scores of the earlier stages for this candidate; any of them may be absent. */
export interface ModelScoresInput {
  /** The sequence model's logit (any scale: the features use its gap to the list's best and its rank). */
  readonly sequence?: number | undefined;
  /** Co-visitation / item-KNN score from the shopper's recent items (non-negative). */
  readonly covisitation?: number | undefined;
  /** 0-based rank in the retrieval list. */
  readonly retrievalRank?: number | undefined;
}

export interface CandidateInput {
  readonly itemId: string;
  /** Names under which the shopper's category affinities would list this item (e.g. path prefixes). */
  readonly categories: readonly string[];
  readonly brand?: string | undefined;
  /** Undefined when the feature service has no statistics for the item (new or unknown). */
  readonly stats?: ItemStatsInput | undefined;
  readonly scores: ModelScoresInput;
}

export interface RankingRequest {
  readonly shopper: ShopperInput;
  readonly context: RankingContext;
  readonly candidates: readonly CandidateInput[];
}

/** One feature of the layout: its name and, for readers of a model, what it means and its range. */
export interface FeatureSpec {
  readonly name: string;
  readonly description: string;
}

const spec = (name: string, description: string): FeatureSpec => ({ name, description });

/** The r1 layout, in vector order. */
export const RANKING_FEATURES: readonly FeatureSpec[] = [
  spec('page_home', '1 on the home page, else 0'),
  spec('page_product', '1 on a product page, else 0'),
  spec('page_cart', '1 on the cart page, else 0'),
  spec('page_category', '1 on a category page, else 0'),
  spec('page_search', '1 on a search results page, else 0'),
  spec('position_log', 'ln(1 + slot), slot ≥ 0; 0 when missing'),
  spec('position_missing', '1 when the slot is not known (serving), else 0'),
  spec('stats_missing', '1 when the item has no statistics; the stats features are then 0'),
  spec('popularity_log', 'ln(1 + decayed popularity), ≥ 0'),
  spec('short_popularity_log', 'ln(1 + short-term decayed popularity), ≥ 0'),
  spec('trending_log', 'ln(trending), 0 = steady, > 0 rising'),
  spec('views_7d_log', 'ln(1 + views in 7 d)'),
  spec('carts_7d_log', 'ln(1 + add-to-carts in 7 d)'),
  spec('purchases_7d_log', 'ln(1 + purchases in 7 d)'),
  spec('ctr_24h_lift', 'ln(smoothed CTR 24 h / shop CTR), 0 = average'),
  spec('ctr_7d_lift', 'ln(smoothed CTR 7 d / shop CTR), 0 = average'),
  spec('impressions_7d_missing', '1 when the item had no impression in 7 d (its CTR is the prior)'),
  spec('category_affinity', "best affinity over the item's categories / the shopper's top one, in [0, 1]"),
  spec('category_affinity_missing', '1 when the shopper has no category affinity'),
  spec('brand_affinity', "affinity to the item's brand / the shopper's top brand, in [0, 1]"),
  spec('brand_affinity_missing', '1 when the shopper has no brand affinity or the item no brand'),
  spec('in_cart', '1 when the item is in the cart'),
  spec('purchased', '1 when the shopper bought the item before'),
  spec('in_sequence', "1 when the item is in the shopper's recent sequence"),
  spec('sequence_recency', '1 / (1 + steps since the item was last in the sequence); 0 when absent'),
  spec('history_length_log', "ln(1 + length of the shopper's recent sequence)"),
  spec('sequence_score_gap', "sequence logit − the list's best sequence logit, ≤ 0; 0 when missing"),
  spec('sequence_rank_log', 'ln(1 + rank by sequence logit within the list); 0 when missing'),
  spec('sequence_missing', '1 when the sequence model gave no score'),
  spec('covisit_log', 'ln(1 + co-visitation score)'),
  spec('covisit_share', "co-visitation score / the list's largest, in [0, 1]"),
  spec('covisit_missing', '1 when no co-visitation score was given'),
  spec('retrieval_rank_log', 'ln(1 + retrieval rank); 0 when missing'),
  spec('retrieval_rank_missing', '1 when no retrieval rank was given'),
];

export const RANKING_FEATURE_COUNT = RANKING_FEATURES.length;

const INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  RANKING_FEATURES.map(({ name }, index) => [name, index]),
);

/** Position of a named feature in the vector (throws for an unknown name). */
export function featureIndex(name: string): number {
  const index = INDEX[name];
  if (index === undefined) throw new RangeError(`no ranking feature named ${name}`);
  return index;
}

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `ranking features: ${message}`);
}

function finite(value: number, what: string, itemId: string, min = -Infinity): number {
  if (!Number.isFinite(value) || value < min)
    throw invalid(
      `${what} of item ${itemId} must be a finite number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${value}`,
    );
  return value;
}

/** ln(ratio) with the ratio kept positive (a CTR or trending of 0 would be −∞). */
function logRatio(numerator: number, denominator: number): number {
  const floor = 1e-6;
  return Math.log(Math.max(numerator, floor) / Math.max(denominator, floor));
}

function affinityLookup(affinities: readonly AffinityInput[]): { top: number; scores: Map<string, number> } {
  let top = 0;
  const scores = new Map<string, number>();
  for (const { name, score } of affinities) {
    if (!Number.isFinite(score) || score < 0)
      throw invalid(`affinity ${name} must have a finite score ≥ 0, got ${score}`);
    scores.set(name, Math.max(score, scores.get(name) ?? 0));
    top = Math.max(top, score);
  }
  return { top, scores };
}

/**
 * The feature rows of a request, row-major: `candidates.length × RANKING_FEATURE_COUNT`. Pure and
 * deterministic; throws a PermanentError naming the item for a non-finite or out-of-range input.
 */
export function rankingFeatures(request: RankingRequest): Float32Array {
  const { shopper, context, candidates } = request;
  if (!PAGE_TYPES.includes(context.pageType)) throw invalid(`unknown page type ${String(context.pageType)}`);
  if (context.position !== undefined && !(Number.isInteger(context.position) && context.position >= 0))
    throw invalid(`position must be an integer ≥ 0, got ${context.position}`);

  const categories = affinityLookup(shopper.categoryAffinities);
  const brands = affinityLookup(shopper.brandAffinities);
  const cart = new Set(shopper.cart.map(({ itemId }) => itemId));
  const purchased = new Set(shopper.purchased.map(({ itemId }) => itemId));
  // Steps back to each item's most recent occurrence (the sequence is newest first).
  const lastSeen = new Map<string, number>();
  for (const [steps, { itemId }] of shopper.sequence.entries())
    if (!lastSeen.has(itemId)) lastSeen.set(itemId, steps);

  // List-level references: the best sequence logit, each candidate's rank by it, the top co-visitation.
  let bestSequence = -Infinity;
  let topCovisit = 0;
  for (const { itemId, scores } of candidates) {
    if (scores.sequence !== undefined)
      bestSequence = Math.max(bestSequence, finite(scores.sequence, 'sequence score', itemId));
    if (scores.covisitation !== undefined)
      topCovisit = Math.max(topCovisit, finite(scores.covisitation, 'co-visitation score', itemId, 0));
    if (
      scores.retrievalRank !== undefined &&
      !(Number.isInteger(scores.retrievalRank) && scores.retrievalRank >= 0)
    )
      throw invalid(`retrieval rank of item ${itemId} must be an integer ≥ 0, got ${scores.retrievalRank}`);
  }
  const sequenceRank = new Map<number, number>();
  candidates
    .map((candidate, index) => ({ index, score: candidate.scores.sequence }))
    .filter((entry): entry is { index: number; score: number } => entry.score !== undefined)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .forEach(({ index }, rank) => sequenceRank.set(index, rank));

  const width = RANKING_FEATURE_COUNT;
  const out = new Float32Array(candidates.length * width);
  const historyLength = Math.log1p(shopper.sequence.length);
  for (const [row, candidate] of candidates.entries()) {
    const { itemId, stats, scores } = candidate;
    const values = new Array<number>(width).fill(0);
    const set = (name: string, value: number): void => {
      values[featureIndex(name)] = value;
    };
    if (context.pageType !== 'other') set(`page_${context.pageType}`, 1);
    if (context.position === undefined) set('position_missing', 1);
    else set('position_log', Math.log1p(context.position));

    if (stats === undefined) set('stats_missing', 1);
    else {
      set('popularity_log', Math.log1p(finite(stats.popularity, 'popularity', itemId, 0)));
      set('short_popularity_log', Math.log1p(finite(stats.shortPopularity, 'short popularity', itemId, 0)));
      set('trending_log', logRatio(finite(stats.trending, 'trending', itemId, 0), 1));
      const week = stats.counts['7d'];
      set('views_7d_log', Math.log1p(finite(week.view, '7d views', itemId, 0)));
      set('carts_7d_log', Math.log1p(finite(week.add_to_cart, '7d add-to-carts', itemId, 0)));
      set('purchases_7d_log', Math.log1p(finite(week.purchase, '7d purchases', itemId, 0)));
      const prior = finite(stats.ctrPrior.mean, 'CTR prior', itemId, 0);
      set('ctr_24h_lift', logRatio(finite(stats.ctr['24h'], '24h CTR', itemId, 0), prior));
      set('ctr_7d_lift', logRatio(finite(stats.ctr['7d'], '7d CTR', itemId, 0), prior));
      if (finite(week.impression, '7d impressions', itemId, 0) === 0) set('impressions_7d_missing', 1);
    }

    if (categories.top === 0) set('category_affinity_missing', 1);
    else {
      let best = 0;
      for (const name of candidate.categories) best = Math.max(best, categories.scores.get(name) ?? 0);
      set('category_affinity', best / categories.top);
    }
    if (brands.top === 0 || candidate.brand === undefined || candidate.brand === '')
      set('brand_affinity_missing', 1);
    else set('brand_affinity', (brands.scores.get(candidate.brand) ?? 0) / brands.top);

    if (cart.has(itemId)) set('in_cart', 1);
    if (purchased.has(itemId)) set('purchased', 1);
    const steps = lastSeen.get(itemId);
    if (steps !== undefined) {
      set('in_sequence', 1);
      set('sequence_recency', 1 / (1 + steps));
    }
    set('history_length_log', historyLength);

    if (scores.sequence === undefined) set('sequence_missing', 1);
    else {
      set('sequence_score_gap', scores.sequence - bestSequence);
      set('sequence_rank_log', Math.log1p(sequenceRank.get(row) ?? 0));
    }
    if (scores.covisitation === undefined) set('covisit_missing', 1);
    else {
      set('covisit_log', Math.log1p(scores.covisitation));
      set('covisit_share', topCovisit === 0 ? 0 : scores.covisitation / topCovisit);
    }
    if (scores.retrievalRank === undefined) set('retrieval_rank_missing', 1);
    else set('retrieval_rank_log', Math.log1p(scores.retrievalRank));
    out.set(values, row * width);
  }
  return out;
}
