/**
 * Item-to-item neighbours: co-visitation (items seen close together in a session, weighted by how
 * close) and bought-together (orders containing both). Both sets keep COVISIT_MAX members but
 * readers serve at most half: the lower half is where a newcomer climbs before it could be trimmed,
 * so its members' weights are not yet comparable.
 */
import type { Redis } from 'ioredis';
import { COVISIT_MAX } from './bounds.js';
import { featureKeys, type FeatureKeys } from './keys.js';
import { resultLimit } from './limits.js';
import { execPipeline, parseScored } from './replies.js';

/** Neighbours served per item. */
export const NEIGHBOURS_SERVED_MAX = COVISIT_MAX / 2;

/** An item related to another, with the strength of the relation. */
export interface Neighbour {
  readonly itemId: string;
  /** Co-visitation: summed pair weight (event weight × closeness); bought-together: orders. */
  readonly weight: number;
}

/** The neighbours of one item asked for. */
export interface ItemNeighbours {
  readonly itemId: string;
  /** Heaviest first. */
  readonly neighbours: readonly Neighbour[];
}

/**
 * Each item's `k` (at most NEIGHBOURS_SERVED_MAX) strongest co-visitation neighbours, in input
 * order; an unknown item has none. One round trip for all items. `k ≤ 0` gives empty lists; a
 * non-integer `k` throws a RangeError.
 */
export function readCovisitNeighbours(
  redis: Redis,
  prefix: string,
  itemIds: readonly string[],
  k: number,
): Promise<ItemNeighbours[]> {
  return readNeighbours(redis, featureKeys(prefix), 'itemCovisits', itemIds, k);
}

/**
 * Each item's `k` (at most NEIGHBOURS_SERVED_MAX) items most often bought in the same order, in
 * input order; an unknown item has none. One round trip for all items. `k ≤ 0` gives empty lists; a
 * non-integer `k` throws a RangeError.
 */
export function readBoughtTogether(
  redis: Redis,
  prefix: string,
  itemIds: readonly string[],
  k: number,
): Promise<ItemNeighbours[]> {
  return readNeighbours(redis, featureKeys(prefix), 'itemBoughtTogether', itemIds, k);
}

async function readNeighbours(
  redis: Redis,
  keys: FeatureKeys,
  family: 'itemCovisits' | 'itemBoughtTogether',
  itemIds: readonly string[],
  k: number,
): Promise<ItemNeighbours[]> {
  const limit = resultLimit('k', k, NEIGHBOURS_SERVED_MAX);
  if (limit === 0 || itemIds.length === 0) return itemIds.map((itemId) => ({ itemId, neighbours: [] }));
  const pipeline = redis.pipeline();
  for (const itemId of itemIds) pipeline.zrevrange(keys[family](itemId), 0, limit - 1, 'WITHSCORES');
  const replies = await execPipeline(pipeline);
  return itemIds.map((itemId, i) => {
    const reply = replies[i];
    const pairs = Array.isArray(reply) ? parseScored(reply as unknown[]) : [];
    return { itemId, neighbours: pairs.map(({ member, score }) => ({ itemId: member, weight: score })) };
  });
}
