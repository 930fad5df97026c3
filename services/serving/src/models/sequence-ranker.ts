/**
 * Ranks candidates with the sequence model, given the shopper's recent items (and the page's item).
 *
 * The two opinions are put on one scale and mixed:
 *   b = blended score / the best blended score              (0, 1]: what the sources said
 *   m = exp(logit − the best logit among the candidates)    (0, 1]: the model's softmax over the
 *                                                            candidates, relative to its favourite
 *   score = (1 − α)·b + α·m                                 α = REC_SERVING_MODEL_RANK_WEIGHT
 * The model sees only the shopper's sequence; the blend also knows the page, the cart and what is
 * trending, so it keeps a say. An item the model does not know (newer than the version) gets the
 * candidates' mean m: no opinion, neither pushed up nor buried.
 *
 * Falls back to the blended order — flagged `model_unavailable` when a model should have ranked —
 * when no version serves or scoring fails; a shopper with no history the model knows (a newcomer,
 * similar items and complements without a shopper) simply gets the blended order.
 */
import { errorMessage } from '@recstream/errors';
import type { Logger } from '@recstream/logger';
import {
  BLENDED_RANKER,
  blendedOrder,
  type RankContext,
  type Ranker,
  type Ranking,
} from '../pipeline/ranker.js';
import { withScore, type CatalogCandidate } from '../pipeline/types.js';
import type { LiveModel } from './live-model.js';
import type { ModelMetrics } from './model-metrics.js';

/** At most one "scoring failed" log line per this interval. */
const ERROR_LOG_INTERVAL_MS = 10_000;

export interface SequenceRankerOptions {
  readonly live: LiveModel;
  /** α: the model's share of the final score, 0..1. */
  readonly modelWeight: number;
  readonly metrics: ModelMetrics;
  readonly logger: Logger;
}

/** Mixes blended scores and model logits (see the module comment); `logits[i]` undefined = unknown item. */
export function combineScores(
  candidates: readonly CatalogCandidate[],
  logits: readonly (number | undefined)[],
  modelWeight: number,
): CatalogCandidate[] {
  const bestBlended = Math.max(0, ...candidates.map((c) => c.score));
  const known = logits.filter((l): l is number => l !== undefined && Number.isFinite(l));
  if (known.length === 0) return blendedOrder(candidates);
  const bestLogit = Math.max(...known);
  const relative = known.map((l) => Math.exp(l - bestLogit));
  const neutral = relative.reduce((a, b) => a + b, 0) / relative.length;
  const rescored = candidates.map((c, i) => {
    const logit = logits[i];
    const m = logit === undefined || !Number.isFinite(logit) ? neutral : Math.exp(logit - bestLogit);
    const b = bestBlended > 0 ? c.score / bestBlended : 0;
    return withScore(c, (1 - modelWeight) * b + modelWeight * m);
  });
  return blendedOrder(rescored);
}

export function createSequenceRanker(options: SequenceRankerOptions): Ranker {
  const { live, metrics, logger, modelWeight } = options;
  if (!(modelWeight >= 0 && modelWeight <= 1))
    throw new RangeError(`the model's rank weight must be within 0..1, got ${modelWeight}`);
  let lastErrorLogMs = -Infinity;
  const blended = (candidates: readonly CatalogCandidate[]): Ranking => ({
    candidates: blendedOrder(candidates),
    rankedBy: BLENDED_RANKER,
  });

  // Never throws: a scoring failure is the blended order, flagged.
  const rank = (candidates: readonly CatalogCandidate[], context: RankContext): Ranking => {
    const { subject, contextItemId } = context;
    if (subject === undefined) {
      metrics.ranked(live.model, 'no_shopper');
      return blended(candidates);
    }
    if (contextItemId === undefined && subject.sequence.length === 0) {
      metrics.ranked(live.model, 'no_history');
      return blended(candidates);
    }
    if (live.current === undefined) {
      metrics.ranked(live.model, 'no_model');
      return { ...blended(candidates), degradedReason: 'model_unavailable' };
    }
    try {
      const shopper = live.encodingFor(subject, contextItemId);
      if (shopper === undefined) {
        metrics.ranked(live.model, 'no_history');
        return blended(candidates);
      }
      const logits = candidates.map((c) => {
        const index = shopper.model.index(c.itemId);
        return index === undefined ? undefined : shopper.model.logit(shopper.hidden, index);
      });
      metrics.ranked(live.model, 'model');
      return { candidates: combineScores(candidates, logits, modelWeight), rankedBy: shopper.label };
    } catch (error) {
      metrics.ranked(live.model, 'model_error');
      const nowMs = Date.now();
      if (nowMs - lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
        lastErrorLogMs = nowMs;
        logger.error(
          { model: live.model, err: error, reason: errorMessage(error) },
          'model scoring failed, ranking by blended scores',
        );
      }
      return { ...blended(candidates), degradedReason: 'model_unavailable' };
    }
  };
  return { name: live.model, rank: (candidates, context) => Promise.resolve(rank(candidates, context)) };
}
