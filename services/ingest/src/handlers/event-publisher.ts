/**
 * Produces accepted events to the events topic, keyed by shopper so that each shopper's events stay
 * in order on one partition. Resolves only when Kafka acknowledged (acks=all).
 */
import type { ProducerHandle } from '@recstream/kafka';
import { eventPartitionKey, type CatalogItem, type EnrichedEvent } from '@recstream/schemas';

export interface Publisher {
  publishEvents(events: readonly EnrichedEvent[]): Promise<void>;
  publishItems(items: readonly CatalogItem[]): Promise<void>;
}

export function createPublisher(
  producer: ProducerHandle,
  topics: { events: string; items: string },
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
  };
}
