/**
 * How the pipeline behaves, as the service configuration sets it (config.ts parses the
 * environment into this). Defaults are in code, next to what they tune.
 */
import type { SourceWeights } from './blend.js';
import type { BusinessRules } from './rules.js';

export type Flow = 'recommendations' | 'similar' | 'complements';

export interface PipelineSettings {
  /** Budget for all feature reads of one request before it degrades. */
  readonly featureTimeoutMs: number;
  /** MMR trade-off: 1 = ranking only, lower = more varied. */
  readonly diversityLambda: number;
  /** Leave out what the shopper already bought (personalised recommendations only). */
  readonly excludePurchased: boolean;
  /** Per flow: which sources count how much. */
  readonly weights: Readonly<Record<Flow, SourceWeights>>;
  /** Standing merchandising rules; requests add their own. */
  readonly rules: BusinessRules;
  /** Complements: score factor for items of a cart item's own category (cross-selling, not substitutes). */
  readonly complementsSameCategoryFactor: number;
  /** Personalised answers: places reserved for new items (exploration.ts). */
  readonly exploration: ExplorationSettings;
}

export interface ExplorationSettings {
  /** Places per answer of at least EXPLORATION_MIN_K items given to a new item; 0: none. */
  readonly slots: number;
  /** How long after entering the catalog an item counts as new. */
  readonly newItemMs: number;
}

/** Every source off: flows and fallbacks switch on the ones they use. */
export const NO_SOURCES = {
  covisit_recent: 0,
  covisit_context: 0,
  category_affinity: 0,
  category_context: 0,
  bought_together: 0,
  trending: 0,
  popular: 0,
  pinned: 0,
  sequence_ann: 0,
  // Not blended: new arrivals take exploration slots (exploration.ts).
  new_arrival: 0,
} as const satisfies SourceWeights;

/**
 * The page's item speaks loudest, then the last clicks and the cart, then categories the shopper
 * likes; the sequence model's nearest neighbours (only while a model serves) sit between the last
 * clicks' co-visitation and the cart; trending and popular mostly fill (and are everything for a newcomer). Their sum stays
 * well below a recent item's co-visitation, so a best-seller does not push the neighbours of the
 * item just viewed down the list.
 */
export const DEFAULT_WEIGHTS: Readonly<Record<Flow, SourceWeights>> = {
  recommendations: {
    ...NO_SOURCES,
    covisit_context: 1,
    covisit_recent: 0.8,
    sequence_ann: 0.7,
    bought_together: 0.6,
    category_context: 0.6,
    category_affinity: 0.4,
    trending: 0.15,
    popular: 0.1,
  },
  similar: { ...NO_SOURCES, covisit_context: 1, category_context: 0.3, popular: 0.05 },
  complements: { ...NO_SOURCES, bought_together: 1, covisit_context: 0.3, popular: 0.05 },
};

export const DEFAULT_SETTINGS: PipelineSettings = {
  featureTimeoutMs: 150,
  diversityLambda: 0.7,
  excludePurchased: true,
  weights: DEFAULT_WEIGHTS,
  rules: {},
  complementsSameCategoryFactor: 0.2,
  exploration: { slots: 1, newItemMs: 14 * 24 * 3_600_000 },
};
