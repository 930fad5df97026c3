/**
 * Catalog item contract, version 1: what a shop's catalog feed sends, and what the compacted
 * items topic carries (keyed by `item_id`; a null value is a delete tombstone).
 */
import Type from 'typebox';
import { ItemId } from '../events/event.schema.js';

export const ITEM_SCHEMA_VERSION = 1;

export const AVAILABILITY = ['in_stock', 'out_of_stock', 'preorder', 'discontinued'] as const;
export type Availability = (typeof AVAILABILITY)[number];

const AttributeValue = Type.Union([
  Type.String({ maxLength: 512 }),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 }),
]);

export const CatalogItem = Type.Object(
  {
    item_id: ItemId,
    title: Type.String({ minLength: 1, maxLength: 512 }),
    description: Type.Optional(Type.String({ maxLength: 8192 })),
    category_path: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      maxItems: 8,
      description: 'From the root down, e.g. ["Beauty", "Skin care", "Moisturisers"]',
    }),
    brand: Type.Optional(Type.String({ maxLength: 128 })),
    price: Type.Number({ minimum: 0, maximum: 1e9 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    availability: Type.Enum(AVAILABILITY),
    attributes: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), AttributeValue, { maxProperties: 100 }),
    ),
    image_url: Type.Optional(Type.String({ maxLength: 2048 })),
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    created_at: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the item entered the catalog' }),
    ),
    updated_at: Type.String({ format: 'date-time', description: 'Version of this record; the latest wins' }),
  },
  {
    additionalProperties: false,
    $id: 'https://recstream.dev/schemas/item.v1.json',
    title: 'Catalog item v1',
  },
);
export type CatalogItem = Type.Static<typeof CatalogItem>;
