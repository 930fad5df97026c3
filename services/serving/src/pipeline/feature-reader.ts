/**
 * The feature reads the pipeline makes, bound to one Redis, key prefix and request time. Each is one
 * round trip (the readers of @recstream/features); the pipeline issues the reads of a stage together,
 * so on the one connection their round trips overlap and the stage costs about one. Display fields
 * come from the in-memory catalog, brought up to the version read when the reader was made (at the
 * start of the request, with its first reads). An interface, so the stages can be exercised
 * without Redis.
 */
import type { Redis } from 'ioredis';
import {
  readBoughtTogether,
  readCategoryTop,
  readCovisitNeighbours,
  readSubjectFeatures,
  readTopPopular,
  readTrending,
  type ItemMeta,
  type ItemNeighbours,
  type PopularItem,
  type SubjectFeatures,
  type SubjectIds,
  type TrendingItem,
} from '@recstream/features';
import type { CatalogMirror } from '../catalog/catalog-mirror.js';
import type { SharedReads } from './shared-reads.js';

export interface FeatureReader {
  subject(ids: SubjectIds): Promise<SubjectFeatures>;
  trending(k: number): Promise<TrendingItem[]>;
  popular(k: number): Promise<PopularItem[]>;
  categoryTop(category: string, k: number): Promise<PopularItem[]>;
  covisit(itemIds: readonly string[], k: number): Promise<ItemNeighbours[]>;
  boughtTogether(itemIds: readonly string[], k: number): Promise<ItemNeighbours[]>;
  meta(itemIds: readonly string[]): Promise<Map<string, ItemMeta>>;
}

/** How much of the shopper is read: only what the candidate sources use. */
const SUBJECT_LIMITS = { sequenceLimit: 50, searchesLimit: 0, cartLimit: 20, purchasedLimit: 500 } as const;

/** What the readers of every request share (one of each per process). */
export interface SharedReadState {
  /** The catalog's display fields. */
  readonly catalog: CatalogMirror;
  /** Shares the global trending and popular lists between the requests of a short window. */
  readonly globalLists?: SharedReads | undefined;
}

export function redisFeatureReader(
  redis: Redis,
  prefix: string,
  nowMs: number,
  shared: SharedReadState,
): FeatureReader {
  const { catalog, globalLists } = shared;
  // Issued now, with the request's first reads; awaited only by `meta`. Marked handled here, as a
  // request that fails before reading display fields never awaits it.
  const catalogVersion = catalog.observe();
  catalogVersion.catch(() => undefined);
  const global = <T>(key: string, read: () => Promise<T>) =>
    globalLists === undefined ? read() : globalLists.get(key, read);
  return {
    subject: (ids) => readSubjectFeatures(redis, prefix, ids, { ...SUBJECT_LIMITS, nowMs }),
    trending: (k) => global(`trending:${k}`, () => readTrending(redis, prefix, k, nowMs)),
    popular: (k) => global(`popular:${k}`, () => readTopPopular(redis, prefix, k, nowMs)),
    categoryTop: (category, k) => readCategoryTop(redis, prefix, category, k, nowMs),
    covisit: (itemIds, k) => readCovisitNeighbours(redis, prefix, itemIds, k),
    boughtTogether: (itemIds, k) => readBoughtTogether(redis, prefix, itemIds, k),
    meta: async (itemIds) => {
      await catalog.reach(await catalogVersion);
      const byId = new Map<string, ItemMeta>();
      for (const itemId of itemIds) {
        const meta = catalog.get(itemId);
        if (meta !== undefined) byId.set(itemId, meta);
      }
      return byId;
    },
  };
}
