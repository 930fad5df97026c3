/**
 * Filters: what must never be shown (items the catalog does not know or cannot sell, excluded and
 * already purchased items) and what the request narrows to (category, price, stock). Each dropped
 * item is counted by filter, so a dashboard shows when, say, stock filtering empties answers.
 */
import type { ItemMeta } from '@recstream/features';
import { withMeta, type BlendedCandidate, type CatalogCandidate } from './types.js';

export const FILTER_NAMES = [
  'unknown_item',
  'unavailable',
  'excluded',
  'category',
  'price',
  'out_of_stock',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface FilterSpec {
  /** Excluded by the request, the page's own item, the cart, purchases (as the flow decides). */
  readonly excludeIds: ReadonlySet<string>;
  /** Category levels the item's path must start with ('Beauty > Makeup' → ['Beauty', 'Makeup']). */
  readonly categoryPrefix?: readonly string[] | undefined;
  readonly priceMin?: number | undefined;
  readonly priceMax?: number | undefined;
  /** Only `in_stock`; otherwise preorders are allowed too. */
  readonly inStockOnly?: boolean | undefined;
}

export interface FilterResult {
  readonly kept: CatalogCandidate[];
  readonly dropped: Partial<Record<FilterName, number>>;
}

const CATEGORY_SEPARATOR = '>';

/** 'Beauty > Makeup' → ['Beauty', 'Makeup'] (spaces around the separator do not matter). */
export function parseCategoryPath(text: string): string[] {
  return text
    .split(CATEGORY_SEPARATOR)
    .map((level) => level.trim())
    .filter((level) => level !== '');
}

/** Why `meta` may not be shown for `spec`, or undefined when it may. */
export function rejection(
  itemId: string,
  meta: ItemMeta | undefined,
  spec: FilterSpec,
): FilterName | undefined {
  // Without catalog data an item cannot be shown, priced or checked for stock.
  if (meta === undefined) return 'unknown_item';
  if (meta.availability !== 'in_stock' && meta.availability !== 'preorder') return 'unavailable';
  if (spec.excludeIds.has(itemId)) return 'excluded';
  const prefix = spec.categoryPrefix;
  // Level by level, so 'Beauty > Make' does not match 'Beauty > Makeup'.
  if (prefix !== undefined && prefix.some((level, i) => meta.categoryPath[i] !== level)) return 'category';
  if (spec.priceMin !== undefined && !(meta.price >= spec.priceMin)) return 'price';
  if (spec.priceMax !== undefined && !(meta.price <= spec.priceMax)) return 'price';
  if (spec.inStockOnly === true && meta.availability !== 'in_stock') return 'out_of_stock';
  return undefined;
}

export function applyFilters(
  candidates: readonly BlendedCandidate[],
  metaById: ReadonlyMap<string, ItemMeta>,
  spec: FilterSpec,
): FilterResult {
  const kept: CatalogCandidate[] = [];
  const dropped: Partial<Record<FilterName, number>> = {};
  for (const candidate of candidates) {
    const meta = metaById.get(candidate.itemId);
    const reason = rejection(candidate.itemId, meta, spec);
    if (reason !== undefined || meta === undefined) {
      if (reason !== undefined) dropped[reason] = (dropped[reason] ?? 0) + 1;
      continue;
    }
    kept.push(withMeta(candidate, meta));
  }
  return { kept, dropped };
}
