/**
 * The ranking seam. The baseline orders by the blended source scores; the sequence model's ranker
 * (models/sequence-ranker.ts) re-scores them with the shopper's recent items; a learned
 * impression → click ranker will implement the same interface, registered by name
 * (`buildApp({ rankers })`), without touching candidate generation, filtering or the rules.
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

/** A ranker's answer: the candidates with their new scores, best first, and what ordered them. */
export interface Ranking {
  readonly candidates: CatalogCandidate[];
  /** `blended`, or the model version that scored (`sasrec@<version>`); reported with the answer. */
  readonly rankedBy: string;
  /** Set when a model should have ranked but none could (the blended order was used instead). */
  readonly degradedReason?: 'model_unavailable' | undefined;
}

export interface Ranker {
  /** The name experiments' variants select it by. */
  readonly name: string;
  /** Asynchronous so a model may score or read features. Never rejects for a model's trouble: it falls back. */
  rank(candidates: readonly CatalogCandidate[], context: RankContext): Promise<Ranking>;
}

export const BLENDED_RANKER = 'blended';

/** The candidates in blended order: the baseline, and every model ranker's fallback. */
export function blendedOrder(candidates: readonly CatalogCandidate[]): CatalogCandidate[] {
  return [...candidates].sort(byScoreThenId);
}

/** Scores are the blended source scores: the baseline a model has to beat. */
export const blendedScoreRanker: Ranker = {
  name: BLENDED_RANKER,
  rank: (candidates) => Promise.resolve({ candidates: blendedOrder(candidates), rankedBy: BLENDED_RANKER }),
};
