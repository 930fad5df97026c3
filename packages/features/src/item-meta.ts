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

/** Display fields of the given items, in one round trip; unknown items map to undefined. */
export async function readItemMeta(
  redis: Redis,
  prefix: string,
  itemIds: readonly string[],
): Promise<(ItemMeta | undefined)[]> {
  if (itemIds.length === 0) return [];
  const values = await redis.hmget(featureKeys(prefix).itemMeta(), ...itemIds);
  return values.map((value) => (value === null ? undefined : (JSON.parse(value) as ItemMeta)));
}
