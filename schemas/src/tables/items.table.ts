/**
 * The `items` table (schemas/migrations/clickhouse/0002): the latest version of each catalog item.
 * The ingest sink writes it (services/ingest/src/writers/item-row.ts); a deletion is a row with
 * `is_deleted = 1`, so readers query it with FINAL.
 */
import type { RowOf, TableColumns } from './column-types.js';

export const ITEM_COLUMNS = {
  item_id: 'String',
  title: 'String',
  description: 'String',
  category_path: 'Array(String)',
  category: 'String',
  brand: 'String',
  price: 'Float64',
  currency: 'String',
  availability: 'String',
  attributes: 'String',
  image_url: 'String',
  url: 'String',
  created_at: 'DateTime',
  updated_at: 'DateTime',
  version: 'UInt64',
  is_deleted: 'UInt8',
} as const satisfies TableColumns;

export type ItemRow = RowOf<typeof ITEM_COLUMNS>;
