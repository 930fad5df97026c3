/**
 * Candidates from the sequence model: the items nearest to the shopper's sequence embedding, i.e.
 * those it expects next, by inner product — exact on small catalogs, through the version's HNSW
 * graph on large ones (models/item-index.ts; timings in the README).
 *
 * Scores are the model's softmax relative to its favourite, exp(logit − best) in (0, 1], so the
 * blend can normalise them like any source. The reason names the recent item whose vector is
 * closest to the candidate's ("because you viewed …") when one is close enough, else "picked for you".
 */
import type { SubjectFeatures } from '@recstream/features';
import type { SubjectCandidateSource } from '../pipeline/plan.js';
import type { Candidate, ReasonBasis } from '../pipeline/types.js';
import type { LiveModel } from './live-model.js';
import type { ServedModel } from './served-model.js';

/** Recent items a candidate is compared with for its reason. */
const REASON_ANCHORS = 5;
/** Cosine similarity above which a candidate is explained by one recent item. */
export const ANCHOR_SIMILARITY = 0.5;

export function sequenceAnnSource(live: LiveModel): SubjectCandidateSource {
  const propose = (
    subject: SubjectFeatures,
    depth: number,
    exclude: ReadonlySet<string>,
    contextItemId: string | undefined,
  ): Candidate[] => {
    const shopper = live.encodingFor(subject, contextItemId);
    if (shopper === undefined) return [];
    const { model, hidden, history } = shopper;
    const seen = new Set(history);
    const nearest = model.nearest(
      hidden,
      depth,
      (index) => seen.has(index) || exclude.has(model.itemId(index)),
      seen.size + exclude.size,
    );
    const best = nearest[0]?.score ?? 0;
    const anchors = recentDistinct(history, REASON_ANCHORS);
    return nearest.map(({ index, score }) => ({
      itemId: model.itemId(index),
      source: 'sequence_ann' as const,
      score: Math.exp(score - best),
      reason: reasonFor(model, index, anchors),
    }));
  };
  return {
    source: 'sequence_ann',
    // The work is synchronous; the promise turns a throw into a rejection the pipeline handles.
    candidates: (subject, depth, exclude, contextItemId) =>
      new Promise((resolve) => resolve(propose(subject, depth, exclude, contextItemId))),
  };
}

/** Up to `max` distinct items of a history (oldest first), newest first. */
function recentDistinct(history: Int32Array, max: number): number[] {
  const out: number[] = [];
  for (let i = history.length - 1; i >= 0 && out.length < max; i -= 1) {
    const item = history[i] as number;
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

function reasonFor(model: ServedModel, index: number, anchors: readonly number[]): ReasonBasis {
  const vector = model.vector(index);
  let bestAnchor: number | undefined;
  let bestSimilarity = ANCHOR_SIMILARITY;
  for (const anchor of anchors) {
    const similarity = cosine(vector, model.vector(anchor));
    if (similarity > bestSimilarity) {
      bestSimilarity = similarity;
      bestAnchor = anchor;
    }
  }
  return bestAnchor === undefined
    ? { code: 'picked_for_you' }
    : { code: 'because_you_viewed', anchorItemId: model.itemId(bestAnchor) };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d += 1) {
    const x = a[d] as number;
    const y = b[d] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
