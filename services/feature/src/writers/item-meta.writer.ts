/**
 * Keeps the display fields of catalog items (title, category, brand, price, availability) in Redis,
 * so serving can describe what it recommends without another store. Bounded by the catalog size.
 * Every write is versioned and logged (@recstream/features catalog-version.ts): serving keeps the
 * catalog in memory and reads only what changed.
 */
import type { Redis } from 'ioredis';
import { removeFromCatalog, writeCatalog, type ItemMeta } from '@recstream/features';

export interface ItemMetaWriter {
  upsert(items: readonly ItemMeta[]): Promise<void>;
  remove(itemIds: readonly string[]): Promise<void>;
}

export function createItemMetaWriter(redis: Redis, prefix: string): ItemMetaWriter {
  return {
    async upsert(items) {
      await writeCatalog(redis, prefix, items);
    },
    async remove(itemIds) {
      await removeFromCatalog(redis, prefix, itemIds);
    },
  };
}
