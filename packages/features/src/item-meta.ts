import type { Redis } from 'ioredis';
import { AVAILABILITY, type CatalogItem } from '@recstream/schemas';
import { featureKeys } from './keys.js';

/** Characters of an item's description kept with its display fields (what search matches). */
export const DESCRIPTION_KEPT_CHARS = 1000;

/** What serving needs to show an item and find it by text. */
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
  /**
   * The description's first DESCRIPTION_KEPT_CHARS characters, when the catalog has one: searched,
   * never shown (its opening carries most of its words; the rest would cost every copy of the
   * catalog memory).
   */
  readonly description?: string;
  /** When the item entered the catalog (ms), when the catalog says: new items get exploration slots. */
  readonly createdAtMs?: number;
}

/** The catalog fields ItemMeta is made of. */
export type ItemMetaSource = Pick<
  CatalogItem,
  | 'item_id'
  | 'title'
  | 'category_path'
  | 'brand'
  | 'price'
  | 'currency'
  | 'availability'
  | 'description'
  | 'created_at'
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
    ...(item.description === undefined || item.description === ''
      ? {}
      : { description: item.description.slice(0, DESCRIPTION_KEPT_CHARS) }),
    ...createdAt(item.created_at),
  };
}

function createdAt(value: string | undefined): { createdAtMs?: number } {
  const ms = value === undefined ? NaN : Date.parse(value);
  return Number.isFinite(ms) ? { createdAtMs: ms } : {};
}

/**
 * Display fields as stored in the meta hash, or undefined when the value is not JSON or names no
 * item and title. Tolerant of what older writers stored: a missing category path is rebuilt from
 * the category, a missing brand or currency is empty, and an unknown availability counts as
 * discontinued (never shown) rather than in stock.
 */
export function parseStoredItemMeta(raw: string): ItemMeta | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['itemId'] !== 'string' || typeof v['title'] !== 'string') return undefined;
  const storedPath = v['categoryPath'];
  const categoryPath = Array.isArray(storedPath)
    ? storedPath.filter((level): level is string => typeof level === 'string')
    : typeof v['category'] === 'string'
      ? v['category']
          .split('>')
          .map((level) => level.trim())
          .filter((level) => level !== '')
      : [];
  const text = (field: string) => (typeof v[field] === 'string' ? v[field] : '');
  const availability = AVAILABILITY.find((a) => a === v['availability']) ?? 'discontinued';
  return {
    itemId: v['itemId'],
    title: v['title'],
    category: typeof v['category'] === 'string' ? v['category'] : categoryPath.join(' > '),
    categoryPath,
    brand: text('brand'),
    price: typeof v['price'] === 'number' ? v['price'] : Number.NaN,
    currency: text('currency'),
    availability,
    ...(typeof v['description'] === 'string' ? { description: v['description'] } : {}),
    ...(typeof v['createdAtMs'] === 'number' ? { createdAtMs: v['createdAtMs'] } : {}),
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
  return values.map((value) => (value === null ? undefined : parseStoredItemMeta(value)));
}
