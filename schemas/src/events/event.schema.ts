/**
 * Clickstream event contract, version 1.
 *
 * This file is the single source of truth for what a shop may send us. The JSON Schema files in
 * `schemas/json/` are generated from it (`pnpm --filter @recstream/schemas export-json`), the
 * TypeScript types are derived with `Static`, and every validator compiles these objects.
 *
 * Each event type is its own closed object so that a client gets an error naming the exact field
 * that is missing or unexpected for that type, rather than a vague "does not match any of".
 */
import Type from 'typebox';

export const EVENT_SCHEMA_VERSION = 1;

/** Ids travel through Kafka keys, Redis keys and ClickHouse: a bounded, printable alphabet keeps them safe. */
export const ID_PATTERN = '^[A-Za-z0-9_.:@/+=-]+$';
export const ID_MAX_LENGTH = 128;
const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN, description });

export const ItemId = Id('Catalog item id, as in the items feed');
export const EventId = Id('Client-generated unique id of this event; retries must reuse it (dedup key)');

export const EVENT_TYPES = [
  'view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'search',
  'impression',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const PAGE_TYPES = ['home', 'product', 'category', 'search', 'cart', 'checkout', 'other'] as const;

/** Free-form properties are capped in count here and in serialized size by the validator. */
export const MAX_PROPERTIES_KEYS = 50;
export const MAX_PROPERTIES_BYTES = 4096;

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' });
const Price = Type.Number({ minimum: 0, maximum: 1e9, description: 'Unit price in `currency`' });
const Quantity = Type.Integer({ minimum: 1, maximum: 100000 });

/** Largest value of a ClickHouse Int32 column (`events.results_count`, `events.position`). */
export const INT32_MAX = 2 ** 31 - 1;

const PageContext = Type.Object(
  {
    type: Type.Optional(Type.Enum(PAGE_TYPES)),
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    referrer: Type.Optional(Type.String({ maxLength: 2048 })),
    category: Type.Optional(Type.String({ maxLength: 256, description: 'Category shown on the page' })),
  },
  { additionalProperties: false },
);

const Context = Type.Object(
  {
    page: Type.Optional(PageContext),
    locale: Type.Optional(Type.String({ maxLength: 35 })),
    user_agent: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/** Fields shared by every event type. */
const common = {
  event_id: EventId,
  user_id: Type.Optional(Id('Logged-in shopper id')),
  anonymous_id: Type.Optional(Id('Device or cookie id of a shopper who is not logged in')),
  session_id: Type.Optional(Id('Browsing session id')),
  timestamp: Type.Optional(
    Type.String({ format: 'date-time', description: 'Client time of the event (RFC 3339)' }),
  ),
  request_id: Type.Optional(Id('Id of the recommendation response this event follows from (attribution)')),
  context: Type.Optional(Context),
  properties: Type.Optional(
    Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
      maxProperties: MAX_PROPERTIES_KEYS,
      description: `Free-form properties; at most ${MAX_PROPERTIES_KEYS} keys and ${MAX_PROPERTIES_BYTES} bytes serialized`,
    }),
  ),
};

const LineItem = Type.Object(
  { item_id: ItemId, price: Price, quantity: Quantity },
  { additionalProperties: false },
);

const closed = { additionalProperties: false } as const;

export const ViewEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('view'),
    item_id: ItemId,
    price: Type.Optional(Price),
    currency: Type.Optional(Currency),
  },
  closed,
);
export const ClickEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('click'),
    item_id: ItemId,
    position: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10000, description: 'Rank in the list clicked' }),
    ),
  },
  closed,
);
export const AddToCartEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('add_to_cart'),
    item_id: ItemId,
    quantity: Quantity,
    price: Price,
    currency: Currency,
  },
  closed,
);
export const RemoveFromCartEvent = Type.Object(
  { ...common, type: Type.Literal('remove_from_cart'), item_id: ItemId, quantity: Quantity },
  closed,
);
export const PurchaseEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('purchase'),
    order_id: Id('Order id in the shop'),
    items: Type.Array(LineItem, { minItems: 1, maxItems: 500 }),
    currency: Currency,
  },
  closed,
);
export const SearchEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('search'),
    query: Type.String({ minLength: 1, maxLength: 512 }),
    results_count: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: INT32_MAX,
        description: 'Number of results the shop found; stored as an Int32',
      }),
    ),
  },
  closed,
);
export const ImpressionEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('impression'),
    item_ids: Type.Array(ItemId, {
      minItems: 1,
      maxItems: 500,
      description: 'Items shown, in display order',
    }),
    list: Type.Optional(Type.String({ maxLength: 64, description: 'Which widget showed them' })),
  },
  closed,
);

/** Per-type schemas, looked up by the `type` discriminator. */
export const EVENT_SCHEMAS = {
  view: ViewEvent,
  click: ClickEvent,
  add_to_cart: AddToCartEvent,
  remove_from_cart: RemoveFromCartEvent,
  purchase: PurchaseEvent,
  search: SearchEvent,
  impression: ImpressionEvent,
} as const satisfies Record<EventType, unknown>;

export const ClickstreamEvent = Type.Union(
  [ViewEvent, ClickEvent, AddToCartEvent, RemoveFromCartEvent, PurchaseEvent, SearchEvent, ImpressionEvent],
  { $id: 'https://recstream.dev/schemas/event.v1.json', title: 'Clickstream event v1' },
);
export type ClickstreamEvent = Type.Static<typeof ClickstreamEvent>;

/**
 * What ingest adds before producing to Kafka. `event_time` is the client time corrected for clock
 * skew (or the receive time when the client sent none); analysts should use it.
 */
export const TIME_CORRECTIONS = ['future_skew', 'too_old'] as const;
export const DEVICE_TYPES = ['desktop', 'mobile', 'tablet', 'tv', 'bot'] as const;

/** What the collector learned from the user agent; absent when there was none or it said nothing. */
export const DeviceInfo = Type.Object(
  {
    browser: Type.String(),
    browser_version: Type.String(),
    os: Type.String(),
    device_type: Type.Union([Type.Enum(DEVICE_TYPES), Type.Literal('')]),
  },
  { additionalProperties: false },
);
export type DeviceInfo = Type.Static<typeof DeviceInfo>;

export const ServerFields = Type.Object({
  schema_version: Type.Literal(EVENT_SCHEMA_VERSION),
  received_at: Type.String({ format: 'date-time' }),
  event_time: Type.String({
    format: 'date-time',
    description: 'The client timestamp, or received_at when there was none or it was not plausible',
  }),
  time_correction: Type.Optional(
    Type.Enum(TIME_CORRECTIONS, {
      description: 'Why event_time is not the client timestamp: it was too far ahead, or too old',
    }),
  ),
  source: Type.String({ description: 'Write-key source that sent the event' }),
  device: Type.Optional(DeviceInfo),
  ip_prefix: Type.Optional(
    Type.String({ description: 'Client network anonymised to its IPv4 /24 or IPv6 /48 prefix' }),
  ),
});
export type ServerFields = Type.Static<typeof ServerFields>;

export type EnrichedEvent = ClickstreamEvent & ServerFields;
