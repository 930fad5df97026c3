/**
 * Maps a catalog item (or a delete tombstone) to a row of the `items` table. Pure.
 * The `version` here is `updated_at`, for rows written directly (fixtures); the sink replaces it
 * with the time the items topic received the record (see `itemVersion` in sink.handler.ts).
 */
import { formatDateTime } from '@recstream/clickhouse';
import type { CatalogItem, ItemRow } from '@recstream/schemas';

export function toItemRow(item: CatalogItem): ItemRow {
  const updatedAt = new Date(item.updated_at);
  return {
    item_id: item.item_id,
    title: item.title,
    description: item.description ?? '',
    category_path: item.category_path,
    category: item.category_path.at(-1) ?? '',
    brand: item.brand ?? '',
    price: item.price,
    currency: item.currency,
    availability: item.availability,
    attributes: JSON.stringify(item.attributes ?? {}),
    image_url: item.image_url ?? '',
    url: item.url ?? '',
    created_at: formatDateTime(new Date(item.created_at ?? item.updated_at)),
    updated_at: formatDateTime(updatedAt),
    version: updatedAt.getTime(),
    is_deleted: 0,
  };
}
