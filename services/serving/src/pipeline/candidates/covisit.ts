/**
 * Candidates from co-visitation: items seen in the same sessions as the shopper's recent items
 * ("because you viewed …") or as the item on the page ("often viewed with …"). Recent items count
 * less the older they are, so the answer follows the last clicks.
 */
import type { ItemNeighbours, SequenceEntry } from '@recstream/features';
import type { Candidate } from '../types.js';
import { neighbourCandidates, type Anchor } from './neighbours.js';

/** Each older distinct item counts this much less than the one after it. */
export const RECENT_DECAY = 0.7;
/** Interactions that say the shopper looked at an item (impressions and removals do not). */
const INTEREST: ReadonlySet<SequenceEntry['type']> = new Set(['view', 'click', 'add_to_cart', 'purchase']);

/** The `max` most recent distinct items of interest, newest first, weighted RECENT_DECAY^position. */
export function recentAnchors(sequence: readonly SequenceEntry[], max: number): Anchor[] {
  const anchors: Anchor[] = [];
  const seen = new Set<string>();
  for (const entry of sequence) {
    if (anchors.length >= max) break;
    if (!INTEREST.has(entry.type) || seen.has(entry.itemId)) continue;
    seen.add(entry.itemId);
    anchors.push({ itemId: entry.itemId, weight: RECENT_DECAY ** anchors.length });
  }
  return anchors;
}

/** Neighbours of the shopper's recent items (`lists` read for `anchors`). */
export function covisitRecentCandidates(
  lists: readonly ItemNeighbours[],
  anchors: readonly Anchor[],
): Candidate[] {
  return neighbourCandidates(lists, anchors, 'covisit_recent', 'because_you_viewed');
}

/**
 * Neighbours of the item on the page: for a shopper's page view "because you viewed" it, for the
 * similar-items endpoint "often viewed with" it.
 */
export function covisitContextCandidates(
  list: ItemNeighbours,
  code: 'because_you_viewed' | 'viewed_together',
): Candidate[] {
  return neighbourCandidates([list], [{ itemId: list.itemId, weight: 1 }], 'covisit_context', code);
}
