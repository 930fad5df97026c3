/**
 * What co-visitation and bought-together candidates share: scoring the neighbours of anchor items
 * (the shopper's recent items, the item on the page, the cart). Each anchor's list is normalised by its
 * own strongest neighbour, so a very busy anchor does not drown a quiet one, then weighted by the
 * anchor's weight (recency). An item reached from several anchors adds up; its reason names the
 * anchor that contributed most.
 */
import type { ItemNeighbours } from '@recstream/features';
import type { Candidate, CandidateSource } from '../types.js';

/** One item the shopper interacted with, and how much it counts. */
export interface Anchor {
  readonly itemId: string;
  readonly weight: number;
}

export function neighbourCandidates(
  lists: readonly ItemNeighbours[],
  anchors: readonly Anchor[],
  source: CandidateSource,
  code: 'because_you_viewed' | 'viewed_together' | 'bought_together',
): Candidate[] {
  const weightOf = new Map(anchors.map((a) => [a.itemId, a.weight]));
  const totals = new Map<string, { score: number; best: number; anchorItemId: string }>();
  for (const { itemId: anchorItemId, neighbours } of lists) {
    const top = neighbours[0]?.weight ?? 0;
    const anchorWeight = weightOf.get(anchorItemId) ?? 0;
    if (!(top > 0) || !(anchorWeight > 0)) continue;
    for (const neighbour of neighbours) {
      const contribution = (anchorWeight * neighbour.weight) / top;
      const total = totals.get(neighbour.itemId);
      if (total === undefined) {
        totals.set(neighbour.itemId, { score: contribution, best: contribution, anchorItemId });
      } else {
        total.score += contribution;
        if (contribution > total.best) Object.assign(total, { best: contribution, anchorItemId });
      }
    }
  }
  return [...totals].map(([itemId, { score, anchorItemId }]) => ({
    itemId,
    source,
    score,
    reason: { code, anchorItemId },
  }));
}
