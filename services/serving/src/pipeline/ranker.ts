/**
 * The ranking seam. Today's ranker orders by the blended source scores; a learned model (scoring
 * each candidate from the shopper's and the item's features) will implement the same interface and
 * be swapped in without touching candidate generation, filtering or the business rules.
 */
import type { SubjectFeatures } from '@recstream/features';
import { byScoreThenId } from './blend.js';
import type { CatalogCandidate } from './types.js';

/** What a ranker may look at besides the candidates. */
export interface RankContext {
  /** The shopper, when the flow has one. */
  readonly subject?: SubjectFeatures | undefined;
  /** The item on the page, when there is one. */
  readonly contextItemId?: string | undefined;
  readonly nowMs: number;
}

export interface Ranker {
  /** Reported with each answer's metrics. */
  readonly name: string;
  /** The candidates with their new scores, best first. Asynchronous so a model may read features. */
  rank(candidates: readonly CatalogCandidate[], context: RankContext): Promise<CatalogCandidate[]>;
}

/** Scores are the blended source scores: the baseline a model has to beat. */
export const blendedScoreRanker: Ranker = {
  name: 'blended',
  rank: (candidates) => Promise.resolve([...candidates].sort(byScoreThenId)),
};
