/**
 * Exploration slots: a personalised answer gives a few of its places to new items (catalog/
 * new-arrivals.ts), drawn at random among the newest that pass the request's filters, preferably
 * in the categories the shopper likes. Without them a new item, which no behaviour-based source
 * proposes, would never be seen and so never gather the interactions that would let it in; the
 * impressions and clicks these places earn are what the feature service then learns from.
 */
import type { ItemMeta, SubjectFeatures } from '@recstream/features';
import type { NewArrivals } from '../catalog/new-arrivals.js';
import { rejection, type FilterSpec } from './filters.js';
import type { CatalogCandidate } from './types.js';

/** Answers shorter than this have no room to explore. */
export const EXPLORATION_MIN_K = 4;
/** New items a slot is drawn from: the newest this many that pass the filters. */
const DRAW_FROM = 20;
/** Liked categories whose new items come first. */
const LIKED_CATEGORIES = 3;

/** Where `slots` exploration places go in an answer of `k`: spread evenly, never first. */
export function explorationPositions(k: number, slots: number): number[] {
  if (k < EXPLORATION_MIN_K || slots <= 0) return [];
  return Array.from({ length: slots }, (_, i) => Math.floor(((i + 1) * k) / (slots + 1)));
}

/**
 * New items in preference order: the top-level categories of the request's category filter, then
 * of the shopper's liked categories, then the whole catalog's.
 */
export function explorationPool(
  arrivals: NewArrivals,
  subject: SubjectFeatures | undefined,
  filter: FilterSpec,
): ItemMeta[] {
  const tops: string[] = [];
  const filterTop = filter.categoryPrefix?.[0];
  if (filterTop !== undefined) tops.push(filterTop);
  for (const affinity of (subject?.categoryAffinities ?? []).slice(0, LIKED_CATEGORIES)) {
    const top = affinity.name.split('>')[0]?.trim();
    if (top !== undefined && top !== '' && !tops.includes(top)) tops.push(top);
  }
  const pool: ItemMeta[] = [];
  const seen = new Set<string>();
  for (const list of [...tops.map((top) => arrivals.newest(top)), arrivals.newest()]) {
    for (const item of list) {
      if (seen.has(item.itemId)) continue;
      seen.add(item.itemId);
      pool.push(item);
    }
  }
  return pool;
}

/**
 * `chosen` (the answer so far, best first) with new items from `pool` in the exploration places;
 * never an item already in the answer or one the filters refuse; at most `k` items.
 */
export function explore(
  chosen: readonly CatalogCandidate[],
  k: number,
  slots: number,
  pool: readonly ItemMeta[],
  filter: FilterSpec,
  random: () => number,
): CatalogCandidate[] {
  const positions = explorationPositions(k, slots);
  if (positions.length === 0) return [...chosen];
  const inAnswer = new Set(chosen.map((c) => c.itemId));
  const eligible: ItemMeta[] = [];
  for (const item of pool) {
    if (eligible.length >= DRAW_FROM) break;
    if (!inAnswer.has(item.itemId) && rejection(item.itemId, item, filter) === undefined) eligible.push(item);
  }
  const out = [...chosen];
  for (const position of positions) {
    if (eligible.length === 0) break;
    const [meta] = eligible.splice(Math.floor(random() * eligible.length), 1);
    if (meta === undefined) break;
    const at = Math.min(position, out.length);
    out.splice(at, 0, {
      itemId: meta.itemId,
      // The place's own score, so scores still read best first.
      score: out[at]?.score ?? out[at - 1]?.score ?? 0,
      source: 'new_arrival',
      reason: { code: 'new_arrival', category: meta.category },
      meta,
    });
  }
  return out.slice(0, k);
}
