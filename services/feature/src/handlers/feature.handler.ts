/**
 * Per-batch logic of the feature service: events update item popularity; items update the
 * display metadata. One result per message; Redis failures are retried, undecodable messages
 * parked in the DLQ. Exactly once in effect: the popularity writer skips what its partition's offset
 * watermark has passed and event ids it saw within the retry window.
 */
import { ERROR_CODES, errorMessage } from '@recstream/errors';
import { EVENT_WEIGHTS, logContribution, toItemMeta, type ItemMeta } from '@recstream/features';
import {
  dlq,
  drop,
  ok,
  retry,
  type BatchHandler,
  type KafkaMessage,
  type MessageResult,
} from '@recstream/kafka';
import type { CatalogItem, EnrichedEvent } from '@recstream/schemas';
import type { ItemMetaWriter } from '../writers/item-meta.writer.js';
import type { PopularityUpdate, PopularityWriter } from '../writers/popularity.writer.js';

/** The items an event is about, as popularity contributions; undefined when it says nothing about interest. */
export function popularityUpdate(event: EnrichedEvent, offset: string): PopularityUpdate | undefined {
  const weight = EVENT_WEIGHTS[event.type];
  if (weight <= 0) return undefined;
  const timeMs = Date.parse(event.event_time);
  const itemIds =
    event.type === 'purchase'
      ? event.items.map((line) => line.item_id)
      : 'item_id' in event
        ? [event.item_id]
        : [];
  const contribution = logContribution(weight, timeMs);
  return {
    eventId: event.event_id,
    offset,
    contributions: [...new Set(itemIds)].map((itemId) => ({ itemId, logContribution: contribution })),
  };
}

function parse(message: KafkaMessage): unknown {
  return JSON.parse(message.value?.toString('utf8') ?? 'null');
}

export function createFeatureHandler(deps: {
  itemsTopic: string;
  popularity: PopularityWriter;
  itemMeta: ItemMetaWriter;
}): BatchHandler {
  return async (messages, context) => {
    const results: MessageResult[] = [];
    try {
      if (context.topic === deps.itemsTopic) {
        // The last message per item wins (as in the compacted topic); null marks a deletion.
        const latest = new Map<string, ItemMeta | null>();
        for (const message of messages) {
          if (message.value === null) {
            latest.set(message.key?.toString('utf8') ?? '', null);
            results.push(ok);
            continue;
          }
          try {
            const meta = toItemMeta(parse(message) as CatalogItem);
            latest.set(meta.itemId, meta);
            results.push(ok);
          } catch (error) {
            results.push(
              dlq('feature', ERROR_CODES.invalidInput, `undecodable item: ${errorMessage(error)}`),
            );
          }
        }
        const upserts = [...latest.values()].filter((meta): meta is ItemMeta => meta !== null);
        const removals = [...latest].filter(([id, meta]) => meta === null && id !== '').map(([id]) => id);
        await deps.itemMeta.upsert(upserts);
        await deps.itemMeta.remove(removals);
        return results;
      }
      const updates: PopularityUpdate[] = [];
      for (const message of messages) {
        try {
          const event = parse(message) as EnrichedEvent;
          if (typeof event.event_id !== 'string' || Number.isNaN(Date.parse(event.event_time))) {
            results.push(dlq('feature', ERROR_CODES.invalidInput, 'event_id or event_time missing'));
            continue;
          }
          const update = popularityUpdate(event, message.offset);
          if (update === undefined) {
            results.push(drop(`no popularity signal in ${event.type}`));
          } else {
            updates.push(update);
            results.push(ok);
          }
        } catch (error) {
          results.push(dlq('feature', ERROR_CODES.invalidInput, `undecodable event: ${errorMessage(error)}`));
        }
      }
      await deps.popularity.apply(`${context.topic}/${context.partition}`, updates);
      return results;
    } catch (error) {
      // Redis failed: nothing in this batch is known to be applied; all of it is tried again
      // (the seen-markers make the retry safe).
      return messages.map(() => retry(error));
    }
  };
}
