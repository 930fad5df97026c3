/**
 * The `events` table (schemas/migrations/clickhouse/0001, 0004, 0010): the behaviour log, one row
 * per enriched event. The ingest sink writes it (services/ingest/src/writers/event-row.ts); the
 * feature rebuild reads it back as enriched events and the trainer as interactions, with the read
 * expressions below.
 */
import type { EnrichedEvent } from '../events/event.schema.js';
import type { RowOf, TableColumns } from './column-types.js';

export const EVENT_COLUMNS = {
  event_id: 'String',
  type: 'String',
  user_id: 'String',
  anonymous_id: 'String',
  session_id: 'String',
  item_id: 'String',
  item_ids: 'Array(String)',
  item_prices: 'Array(Float64)',
  item_quantities: 'Array(UInt32)',
  order_id: 'String',
  price: 'Float64',
  quantity: 'UInt32',
  currency: 'String',
  revenue: 'Float64',
  query: 'String',
  results_count: 'Int32',
  position: 'Int32',
  list: 'String',
  request_id: 'String',
  page_type: 'String',
  page_url: 'String',
  referrer: 'String',
  page_category: 'String',
  locale: 'String',
  user_agent: 'String',
  browser: 'String',
  browser_version: 'String',
  os: 'String',
  device_type: 'String',
  ip_prefix: 'String',
  properties: 'String',
  source: 'String',
  event_time: 'DateTime',
  received_at: 'DateTime',
  client_timestamp: 'String',
  time_correction: 'String',
  event_date: 'Date',
  kafka_partition: 'Int32',
  kafka_offset: 'Int64',
  event_time_ms: 'UInt16',
  received_at_ms: 'UInt16',
} as const satisfies TableColumns;

export type EventRow = RowOf<typeof EVENT_COLUMNS>;

/** `event_time` in epoch milliseconds (DateTime keeps seconds; the milliseconds have their column). */
export const EVENT_MS_SQL = 'toUInt64(event_time) * 1000 + event_time_ms';
/** `received_at` in epoch milliseconds. */
export const RECEIVED_MS_SQL = 'toUInt64(received_at) * 1000 + received_at_ms';
/** The shopper an event belongs to: `user_id`, else `anonymous_id` (as `eventPartitionKey` keys the topic). */
export const SHOPPER_SQL = "if(user_id != '', user_id, anonymous_id)";

/**
 * The columns that give an event back as the enriched event the live consumers read (the fields
 * the feature compiler uses), with its times in milliseconds and its position in the events topic.
 */
export const ENRICHED_EVENT_SELECT = `event_id, type, user_id, anonymous_id, session_id, item_id,
  item_ids, item_prices, item_quantities, order_id, price, quantity, currency, query, source,
  ${EVENT_MS_SQL} AS event_ms, ${RECEIVED_MS_SQL} AS received_ms, kafka_partition, kafka_offset`;

/** A row of `ENRICHED_EVENT_SELECT`; UInt64 and Int64 values come back as text. */
export type EnrichedEventRow = Pick<
  EventRow,
  | 'event_id'
  | 'user_id'
  | 'anonymous_id'
  | 'session_id'
  | 'item_id'
  | 'item_ids'
  | 'item_prices'
  | 'item_quantities'
  | 'order_id'
  | 'price'
  | 'quantity'
  | 'currency'
  | 'query'
  | 'source'
  | 'kafka_partition'
  | 'kafka_offset'
> & {
  type: EnrichedEvent['type'];
  event_ms: string | number;
  received_ms: string | number;
};

const optional = (value: string) => (value === '' ? undefined : value);
const isoTime = (ms: string | number) => new Date(Number(ms)).toISOString();

/** A row of `ENRICHED_EVENT_SELECT` as the enriched event it was (fields the features do not use are left out). */
export function enrichedEventOf(row: EnrichedEventRow): EnrichedEvent | undefined {
  const ids = {
    ...(optional(row.user_id) === undefined ? {} : { user_id: row.user_id }),
    ...(optional(row.anonymous_id) === undefined ? {} : { anonymous_id: row.anonymous_id }),
    ...(optional(row.session_id) === undefined ? {} : { session_id: row.session_id }),
  };
  const server = {
    event_id: row.event_id,
    schema_version: 1 as const,
    event_time: isoTime(row.event_ms),
    received_at: isoTime(row.received_ms),
    source: row.source,
    ...ids,
  };
  switch (row.type) {
    case 'view':
    case 'click':
      return { ...server, type: row.type, item_id: row.item_id };
    case 'add_to_cart':
      return {
        ...server,
        type: row.type,
        item_id: row.item_id,
        quantity: row.quantity,
        price: row.price,
        currency: row.currency,
      };
    case 'remove_from_cart':
      return { ...server, type: row.type, item_id: row.item_id, quantity: row.quantity };
    case 'purchase':
      return {
        ...server,
        type: row.type,
        order_id: row.order_id,
        currency: row.currency,
        items: row.item_ids.map((item_id, i) => ({
          item_id,
          price: row.item_prices[i] ?? 0,
          quantity: row.item_quantities[i] ?? 1,
        })),
      };
    case 'search':
      return { ...server, type: row.type, query: row.query };
    case 'impression':
      return { ...server, type: row.type, item_ids: row.item_ids };
    default:
      // `type` is a String column: a producer that bypassed the collector can log any type, and
      // the log keeps it. It is not an event this version can read back.
      return undefined;
  }
}
