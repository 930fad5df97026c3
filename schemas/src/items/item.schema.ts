/**
 * Catalog item contract, version 1: what a shop's catalog feed sends, and what the compacted
 * items topic carries (keyed by `item_id`; a null value is a delete tombstone).
 */
import Type from 'typebox';
import { ItemId } from '../events/event.schema.js';

export const ITEM_SCHEMA_VERSION = 1;

/**
 * Item times are stored in ClickHouse `DateTime` columns, which hold 1970-01-01 00:00:01 to
 * 2106-02-07 (second 0 reads as "no date"; 18.16 stores a time outside as a wrong one, or refuses
 * the whole insert). The contract keeps them inside that range; the validator also checks it (ajv's
 * date-time comparison ignores a bound at second 0) and refuses an `updated_at` or `created_at`
 * later than the receive time plus `DEFAULT_ITEM_MAX_FUTURE_SKEW_MS`, which JSON Schema cannot state.
 */
export const ITEM_TIME_MIN = '1970-01-01T00:00:01Z';
export const ITEM_TIME_MAX = '2105-12-31T23:59:59Z';
/** How far ahead of the collector's clock an item time may be: clocks of catalog feeds drift. */
export const DEFAULT_ITEM_MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const ItemTime = (description: string) =>
  Type.String({
    format: 'date-time',
    formatMinimum: ITEM_TIME_MIN,
    formatMaximum: ITEM_TIME_MAX,
    description: `${description}; from ${ITEM_TIME_MIN}, and at most a few minutes after the time it is sent`,
  });

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
    created_at: Type.Optional(ItemTime('When the item entered the catalog')),
    updated_at: ItemTime(
      'When the shop last changed the item. The version stored is the time the collector received the record, so the record received last wins, whatever the clock of the feed',
    ),
  },
  {
    additionalProperties: false,
    $id: 'https://recstream.dev/schemas/item.v1.json',
    title: 'Catalog item v1',
  },
);
export type CatalogItem = Type.Static<typeof CatalogItem>;
