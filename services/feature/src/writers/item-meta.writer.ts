/**
 * Keeps the display fields of catalog items (title, category, brand, price, availability) in Redis,
 * so serving can describe what it recommends without another store. Bounded by the catalog size.
 */
import type { Redis } from 'ioredis';
import { featureKeys, type ItemMeta } from '@recstream/features';

export interface ItemMetaWriter {
  upsert(items: readonly ItemMeta[]): Promise<void>;
  remove(itemIds: readonly string[]): Promise<void>;
}

export function createItemMetaWriter(redis: Redis, prefix: string): ItemMetaWriter {
  const keys = featureKeys(prefix);
  return {
    async upsert(items) {
      if (items.length === 0) return;
      const pipeline = redis.pipeline();
      for (const item of items) pipeline.hset(keys.itemMeta(), item.itemId, JSON.stringify(item));
      // Bumped with the writes: serving's search index rebuilds only when this has moved.
      pipeline.incr(keys.itemMetaChanges());
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) if (error !== null) throw error;
    },
    async remove(itemIds) {
      if (itemIds.length === 0) return;
      const results =
        (await redis
          .pipeline()
          .hdel(keys.itemMeta(), ...itemIds)
          .incr(keys.itemMetaChanges())
          .exec()) ?? [];
      for (const [error] of results) if (error !== null) throw error;
    },
  };
}
