/**
 * Publishes enriched events to the events topic as the collector would (keyed by shopper), in
 * batches, so failure tests can put a backlog in front of a consumer.
 */
import type { ProducerHandle } from '@recstream/kafka';
import { eventPartitionKey, type EnrichedEvent } from '@recstream/schemas';

/** Produces `make(i)` for i in [from, to), 2,000 per produce request. */
export async function produceEvents(
  producer: ProducerHandle,
  topic: string,
  from: number,
  to: number,
  make: (i: number) => EnrichedEvent,
): Promise<void> {
  for (let start = from; start < to; start += 2000) {
    const events = Array.from({ length: Math.min(2000, to - start) }, (_, k) => make(start + k));
    await producer.send(
      topic,
      events.map((event) => ({ key: eventPartitionKey(event), value: JSON.stringify(event) })),
    );
  }
}
