/**
 * Reads the behaviour log back from ClickHouse as the events the live consumer saw: each row
 * becomes the EnrichedEvent fields the feature compiler uses, with millisecond times and the
 * (partition, offset) it had in the events topic, in topic order per partition.
 */
import type { ClickHouse } from '@recstream/clickhouse';
import type { EnrichedEvent } from '@recstream/schemas';

/** The columns a rebuild needs (schemas/migrations/clickhouse/0001, 0010). */
export interface LoggedEventRow {
  event_id: string;
  type: EnrichedEvent['type'];
  user_id: string;
  anonymous_id: string;
  session_id: string;
  item_id: string;
  item_ids: string[];
  item_prices: number[];
  item_quantities: number[];
  order_id: string;
  price: number;
  quantity: number;
  currency: string;
  query: string;
  source: string;
  event_s: string;
  event_time_ms: number;
  received_s: string;
  received_at_ms: number;
  kafka_partition: number;
  /** Int64: a string in ClickHouse's JSON output (not aliased to one in SQL: an alias would shadow the column in ORDER BY). */
  kafka_offset: string | number;
}

export interface LoggedEvent {
  readonly partition: number;
  readonly offset: string;
  readonly event: EnrichedEvent;
}

const SELECT = `
  SELECT event_id, type, user_id, anonymous_id, session_id, item_id, item_ids, item_prices,
         item_quantities, order_id, price, quantity, currency, query, source,
         toString(toUnixTimestamp(event_time)) AS event_s, event_time_ms,
         toString(toUnixTimestamp(received_at)) AS received_s, received_at_ms,
         kafka_partition, kafka_offset
  FROM events
  WHERE kafka_partition >= 0
  ORDER BY kafka_partition, kafka_offset`;

const optional = (value: string) => (value === '' ? undefined : value);
const isoTime = (seconds: string, ms: number) => new Date(Number(seconds) * 1000 + ms).toISOString();

/** A logged row as the event the compiler reads (fields the features do not use are left out). */
export function toLoggedEvent(row: LoggedEventRow): LoggedEvent {
  const ids = {
    ...(optional(row.user_id) === undefined ? {} : { user_id: row.user_id }),
    ...(optional(row.anonymous_id) === undefined ? {} : { anonymous_id: row.anonymous_id }),
    ...(optional(row.session_id) === undefined ? {} : { session_id: row.session_id }),
  };
  const server = {
    event_id: row.event_id,
    schema_version: 1 as const,
    event_time: isoTime(row.event_s, row.event_time_ms),
    received_at: isoTime(row.received_s, row.received_at_ms),
    source: row.source,
    ...ids,
  };
  let event: EnrichedEvent;
  switch (row.type) {
    case 'view':
    case 'click':
      event = { ...server, type: row.type, item_id: row.item_id };
      break;
    case 'add_to_cart':
      event = {
        ...server,
        type: row.type,
        item_id: row.item_id,
        quantity: row.quantity,
        price: row.price,
        currency: row.currency,
      };
      break;
    case 'remove_from_cart':
      event = { ...server, type: row.type, item_id: row.item_id, quantity: row.quantity };
      break;
    case 'purchase':
      event = {
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
      break;
    case 'search':
      event = { ...server, type: row.type, query: row.query };
      break;
    case 'impression':
      event = { ...server, type: row.type, item_ids: row.item_ids };
      break;
  }
  return { partition: row.kafka_partition, offset: String(row.kafka_offset), event };
}

/** How many logged events a rebuild will read, and how many it cannot place (logged before positions were). */
export async function countLoggedEvents(
  clickhouse: ClickHouse,
): Promise<{ positioned: number; unpositioned: number }> {
  const [row] = await clickhouse.query<{ positioned: string; unpositioned: string }>(
    `SELECT toString(countIf(kafka_partition >= 0)) AS positioned,
            toString(countIf(kafka_partition < 0)) AS unpositioned
     FROM events`,
  );
  return { positioned: Number(row?.positioned ?? 0), unpositioned: Number(row?.unpositioned ?? 0) };
}

/** The log in topic order per partition, streamed in chunks. */
export async function* readEventLog(clickhouse: ClickHouse): AsyncIterable<LoggedEvent[]> {
  for await (const rows of clickhouse.stream<LoggedEventRow>(SELECT)) yield rows.map(toLoggedEvent);
}
