/**
 * Candidates from bought-together: items in the same orders as the cart's items (complements).
 * Every cart item counts the same: the cart is one basket, not a history.
 */
import type { ItemNeighbours } from '@recstream/features';
import type { Candidate } from '../types.js';
import { neighbourCandidates } from './neighbours.js';

export function boughtTogetherCandidates(lists: readonly ItemNeighbours[]): Candidate[] {
  const anchors = lists.map(({ itemId }) => ({ itemId, weight: 1 }));
  return neighbourCandidates(lists, anchors, 'bought_together', 'bought_together');
}
