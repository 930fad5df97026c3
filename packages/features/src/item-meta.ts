import type { Redis } from 'ioredis';
import type { CatalogItem } from '@recstream/schemas';
import { featureKeys } from './keys.js';

/** What serving needs to show an item. */
export interface ItemMeta {
  readonly itemId: string;
  readonly title: string;
  /** The category path joined with ' > ' (display). */
  readonly category: string;
  /** The category path, broadest first. */
  readonly categoryPath: readonly string[];
  readonly brand: string;
  readonly price: number;
  readonly currency: string;
  readonly availability: CatalogItem['availability'];
}

/** The catalog fields ItemMeta is made of. */
export type ItemMetaSource = Pick<
  CatalogItem,
  'item_id' | 'title' | 'category_path' | 'brand' | 'price' | 'currency' | 'availability'
>;

export function toItemMeta(item: ItemMetaSource): ItemMeta {
  return {
    itemId: item.item_id,
    title: item.title,
    category: item.category_path.join(' > '),
    categoryPath: item.category_path,
    brand: item.brand ?? '',
    price: item.price,
    currency: item.currency,
    availability: item.availability,
  };
}

/**
 * Remembers the parsed form of each item's stored JSON, so an item whose stored value has not
 * changed is not parsed again (serving reads the display fields of ~150 items per request, mostly
 * the same popular ones). The value is still read from Redis every time and compared: this saves
 * CPU, never freshness. Holds at most `maxEntries` items, forgetting the longest-held first.
 * The objects it returns are shared between requests: read-only, as their type says.
 */
export class ItemMetaParseCache {
  private readonly entries = new Map<string, { readonly raw: string; readonly meta: ItemMeta }>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`the item meta cache must hold at least one item, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  parse(itemId: string, raw: string): ItemMeta {
    const known = this.entries.get(itemId);
    if (known !== undefined && known.raw === raw) return known.meta;
    const meta = JSON.parse(raw) as ItemMeta;
    if (known !== undefined) this.entries.delete(itemId);
    else if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(itemId, { raw, meta });
    return meta;
  }
}

/** Display fields of the given items, in one round trip; unknown items map to undefined. */
export async function readItemMeta(
  redis: Redis,
  prefix: string,
  itemIds: readonly string[],
  cache?: ItemMetaParseCache,
): Promise<(ItemMeta | undefined)[]> {
  if (itemIds.length === 0) return [];
  const values = await redis.hmget(featureKeys(prefix).itemMeta(), ...itemIds);
  return values.map((value, i) => {
    if (value === null) return undefined;
    return cache === undefined ? (JSON.parse(value) as ItemMeta) : cache.parse(itemIds[i] ?? '', value);
  });
}
