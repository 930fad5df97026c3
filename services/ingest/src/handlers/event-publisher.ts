/**
 * Produces accepted events to the events topic, keyed by shopper so that each shopper's events stay
 * in order on one partition. Resolves only when Kafka acknowledged (acks=all).
 */
import { MAX_DLQ_REASON_BYTES, truncateUtf8, type ProducerHandle } from '@recstream/kafka';
import { ERROR_CODES } from '@recstream/errors';
import {
  DLQ_HEADERS,
  eventPartitionKey,
  type CatalogItem,
  type EnrichedEvent,
  type FieldProblem,
} from '@recstream/schemas';

/**
 * Bytes of a refused record kept in the DLQ: enough for an analyst to see what was sent, and a
 * bound on what a client can make us store (the DLQ is kept 30 days, `failed_events` for good)
 * for the price of one refused record.
 */
export const MAX_PARKED_RECORD_BYTES = 8 * 1024;

export interface RefusedRecord {
  /** The record as received (re-serialized when it was valid JSON). */
  readonly raw: string;
  readonly problems: readonly FieldProblem[];
}

export interface Publisher {
  publishEvents(events: readonly EnrichedEvent[]): Promise<void>;
  publishItems(items: readonly CatalogItem[]): Promise<void>;
  /** Deletes items: a tombstone (null value) per id on the compacted items topic. */
  deleteItems(itemIds: readonly string[]): Promise<void>;
  /**
   * Parks records refused at intake in the DLQ, with the reasons, for analysts and replay. The
   * source header reads `<origin>:<route>`: `http:/v1/events` for a client's request,
   * `replay:/v1/events` for a record refused again by a replay.
   */
  parkRefused(records: readonly RefusedRecord[], route: string, origin?: 'http' | 'replay'): Promise<void>;
}

export function createPublisher(
  producer: ProducerHandle,
  topics: { events: string; items: string; dlq: string },
): Publisher {
  return {
    async publishEvents(events) {
      if (events.length === 0) return;
      await producer.send(
        topics.events,
        events.map((event) => ({ key: eventPartitionKey(event), value: JSON.stringify(event) })),
      );
    },
    async publishItems(items) {
      if (items.length === 0) return;
      await producer.send(
        topics.items,
        items.map((item) => ({ key: item.item_id, value: JSON.stringify(item) })),
      );
    },
    async deleteItems(itemIds) {
      if (itemIds.length === 0) return;
      await producer.send(
        topics.items,
        itemIds.map((itemId) => ({ key: itemId, value: null })),
      );
    },
    async parkRefused(records, route, origin = 'http') {
      if (records.length === 0) return;
      const at = new Date().toISOString();
      await producer.send(
        topics.dlq,
        records.map((record) => ({
          key: null,
          value: truncateUtf8(record.raw, MAX_PARKED_RECORD_BYTES),
          headers: {
            [DLQ_HEADERS.reason]: truncateUtf8(
              record.problems.map((p) => `${p.field} ${p.reason}`).join('; '),
              MAX_DLQ_REASON_BYTES,
            ),
            [DLQ_HEADERS.step]: 'validate',
            [DLQ_HEADERS.code]: ERROR_CODES.invalidInput,
            [DLQ_HEADERS.source]: `${origin}:${route}`,
            [DLQ_HEADERS.at]: at,
          },
        })),
      );
    },
  };
}
