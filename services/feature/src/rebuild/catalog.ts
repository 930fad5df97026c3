/**
 * Restores the catalog metadata the compiler needs (category, brand) from ClickHouse's `items`
 * table. Only items missing from Redis are written: one already there came from the live items
 * consumer and may be newer than what the sink has stored.
 */
import type { Redis } from 'ioredis';
import type { ClickHouse } from '@recstream/clickhouse';
import { bumpCatalogVersion, featureKeys, toItemMeta, type ItemMeta } from '@recstream/features';

type ItemRow = Parameters<typeof toItemMeta>[0];

// created_at as ISO 8601 UTC (the column's text form has no zone), so that new arrivals stay new.
const SELECT_LIVE_ITEMS = `
  SELECT item_id, title, description, category_path, brand, price, currency, availability,
         concat(replaceOne(toString(created_at), ' ', 'T'), 'Z') AS created_at
  FROM items FINAL
  WHERE is_deleted = 0`;

/** Loads the current catalog and writes the entries Redis lacks; resolves with the catalog and how many were restored. */
export async function restoreCatalog(
  clickhouse: ClickHouse,
  redis: Redis,
  prefix: string,
): Promise<{ catalog: Map<string, ItemMeta>; restored: number }> {
  const key = featureKeys(prefix).itemMeta();
  const catalog = new Map<string, ItemMeta>();
  let restored = 0;
  for await (const rows of clickhouse.stream<ItemRow>(SELECT_LIVE_ITEMS)) {
    const pipeline = redis.pipeline();
    for (const row of rows) {
      const meta = toItemMeta(row);
      catalog.set(meta.itemId, meta);
      pipeline.hsetnx(key, meta.itemId, JSON.stringify(meta));
    }
    for (const [error, written] of (await pipeline.exec()) ?? []) {
      if (error !== null) throw error;
      restored += Number(written);
    }
  }
  // Written around the log: readers that mirror the catalog read all of it again.
  if (restored > 0) await bumpCatalogVersion(redis, prefix);
  return { catalog, restored };
}
