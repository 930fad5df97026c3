/**
 * Maps the Kafka representation of an event (EnrichedEvent JSON) to a row of the `events` table
 * (`EVENT_COLUMNS` in @recstream/schemas). Pure: no I/O.
 */
import { formatDateTime } from '@recstream/clickhouse';
import type { EnrichedEvent, EventRow } from '@recstream/schemas';

export type { EventRow } from '@recstream/schemas';

/** Where an event was read from in the events topic (-1 when it did not come from Kafka). */
export interface TopicPosition {
  readonly partition: number;
  readonly offset: string;
}

export function toEventRow(event: EnrichedEvent, position?: TopicPosition): EventRow {
  const eventTime = new Date(event.event_time);
  const receivedAt = new Date(event.received_at);
  const page = event.context?.page;
  const row: EventRow = {
    event_id: event.event_id,
    type: event.type,
    user_id: event.user_id ?? '',
    anonymous_id: event.anonymous_id ?? '',
    session_id: event.session_id ?? '',
    item_id: '',
    item_ids: [],
    item_prices: [],
    item_quantities: [],
    order_id: '',
    price: 0,
    quantity: 0,
    currency: '',
    revenue: 0,
    query: '',
    results_count: -1,
    position: -1,
    list: '',
    request_id: event.request_id ?? '',
    page_type: page?.type ?? '',
    page_url: page?.url ?? '',
    referrer: page?.referrer ?? '',
    page_category: page?.category ?? '',
    locale: event.context?.locale ?? '',
    user_agent: event.context?.user_agent ?? '',
    browser: event.device?.browser ?? '',
    browser_version: event.device?.browser_version ?? '',
    os: event.device?.os ?? '',
    device_type: event.device?.device_type ?? '',
    ip_prefix: event.ip_prefix ?? '',
    properties: event.properties === undefined ? '{}' : JSON.stringify(event.properties),
    source: event.source,
    event_time: formatDateTime(eventTime),
    received_at: formatDateTime(receivedAt),
    client_timestamp: event.timestamp ?? '',
    time_correction: event.time_correction ?? '',
    event_date: event.event_time.slice(0, 10),
    kafka_partition: position?.partition ?? -1,
    // Int64 travels as a string in JSONEachRow, so no offset ever loses precision.
    kafka_offset: position?.offset ?? '-1',
    event_time_ms: eventTime.getUTCMilliseconds(),
    received_at_ms: receivedAt.getUTCMilliseconds(),
  };
  switch (event.type) {
    case 'view':
      row.item_id = event.item_id;
      row.price = event.price ?? 0;
      row.currency = event.currency ?? '';
      break;
    case 'click':
      row.item_id = event.item_id;
      row.position = event.position ?? -1;
      break;
    case 'add_to_cart':
      row.item_id = event.item_id;
      row.quantity = event.quantity;
      row.price = event.price;
      row.currency = event.currency;
      break;
    case 'remove_from_cart':
      row.item_id = event.item_id;
      row.quantity = event.quantity;
      break;
    case 'purchase':
      row.order_id = event.order_id;
      row.currency = event.currency;
      row.item_ids = event.items.map((line) => line.item_id);
      row.item_prices = event.items.map((line) => line.price);
      row.item_quantities = event.items.map((line) => line.quantity);
      row.revenue = event.items.reduce((sum, line) => sum + line.price * line.quantity, 0);
      break;
    case 'search':
      row.query = event.query;
      row.results_count = event.results_count ?? -1;
      break;
    case 'impression':
      row.item_ids = [...event.item_ids];
      row.list = event.list ?? '';
      break;
  }
  return row;
}
