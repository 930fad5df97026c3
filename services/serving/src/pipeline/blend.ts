/**
 * Blending: the sources score on unrelated scales (decayed counts, co-visitation weights, trend
 * ratios), so each source's scores are first divided by that source's best, then weighted. An item
 * proposed by several sources gets the sum — agreement between sources is evidence — and keeps the
 * reason of the source that contributed most, the most telling one to show.
 */
import type { BlendedCandidate, Candidate, CandidateSource } from './types.js';

/** How much each source counts; 0 switches a source off. */
export type SourceWeights = Readonly<Record<CandidateSource, number>>;

/** Order of precedence when two sources contribute exactly the same: the more specific first. */
const SOURCE_ORDER: readonly CandidateSource[] = [
  'pinned',
  'covisit_context',
  'covisit_recent',
  'bought_together',
  'category_context',
  'category_affinity',
  'trending',
  'popular',
];

export function blend(candidates: readonly Candidate[], weights: SourceWeights): BlendedCandidate[] {
  const best = new Map<CandidateSource, number>();
  for (const c of candidates) if (c.score > (best.get(c.source) ?? 0)) best.set(c.source, c.score);

  const merged = new Map<string, { score: number; top: number; winner: Candidate }>();
  for (const c of candidates) {
    const weight = weights[c.source];
    const max = best.get(c.source) ?? 0;
    if (!(weight > 0) || !(max > 0) || !(c.score > 0)) continue;
    const contribution = (weight * c.score) / max;
    const entry = merged.get(c.itemId);
    if (entry === undefined) {
      merged.set(c.itemId, { score: contribution, top: contribution, winner: c });
      continue;
    }
    entry.score += contribution;
    if (contribution > entry.top || (contribution === entry.top && precedes(c.source, entry.winner.source))) {
      entry.top = contribution;
      entry.winner = c;
    }
  }
  return [...merged.values()]
    .map(({ score, winner }) => ({
      itemId: winner.itemId,
      score,
      source: winner.source,
      reason: winner.reason,
    }))
    .sort(byScoreThenId);
}

const precedes = (a: CandidateSource, b: CandidateSource) =>
  SOURCE_ORDER.indexOf(a) < SOURCE_ORDER.indexOf(b);

/** Best first; equal scores by item id, so an answer never depends on read order. */
export function byScoreThenId(
  a: { score: number; itemId: string },
  b: { score: number; itemId: string },
): number {
  return b.score - a.score || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);
}
