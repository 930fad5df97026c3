/**
 * The sink's per-batch logic: decode each Kafka message into a ClickHouse row, hand the rows to the
 * table's batch writer, and report one result per message. Rows are durable when `write` resolves;
 * only then are the messages `ok`, so their offsets may be committed.
 */
import type { BatchWriter } from '@recstream/clickhouse';
import { ERROR_CODES, errorMessage, isTransient } from '@recstream/errors';
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
import { toEventRow } from '../writers/event-row.js';
import { dlqPosition, toFailedRow } from '../writers/failed-row.js';
import { toItemRow } from '../writers/item-row.js';

export interface SinkTopics {
  readonly events: string;
  readonly items: string;
  readonly dlq: string;
}

type Decoded = { readonly row: object } | { readonly result: MessageResult };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeEvent(message: KafkaMessage, partition: number): Decoded {
  try {
    const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
    if (
      !isRecord(value) ||
      typeof value['event_id'] !== 'string' ||
      typeof value['event_time'] !== 'string'
    ) {
      return {
        result: dlq(
          'sink',
          ERROR_CODES.invalidInput,
          'not an enriched event: event_id or event_time missing',
        ),
      };
    }
    return { row: toEventRow(value as unknown as EnrichedEvent, { partition, offset: message.offset }) };
  } catch (error) {
    return { result: dlq('sink', ERROR_CODES.invalidInput, `undecodable event: ${errorMessage(error)}`) };
  }
}

function decodeItem(message: KafkaMessage): Decoded {
  const itemId = message.key?.toString('utf8') ?? '';
  if (message.value === null) {
    // A tombstone deletes the item: a version flagged as deleted, versioned by the time Kafka
    // received the delete, so a lagging or replaying sink cannot outrank a later re-creation.
    const at = new Date(Number(message.timestamp));
    return {
      row: {
        ...toItemRow({
          item_id: itemId,
          title: '',
          category_path: [],
          price: 0,
          currency: 'XXX',
          availability: 'discontinued',
          updated_at: at.toISOString(),
        }),
        is_deleted: 1,
      },
    };
  }
  try {
    const value: unknown = JSON.parse(message.value.toString('utf8'));
    if (!isRecord(value) || typeof value['item_id'] !== 'string' || typeof value['updated_at'] !== 'string') {
      return {
        result: dlq('sink', ERROR_CODES.invalidInput, 'not a catalog item: item_id or updated_at missing'),
      };
    }
    return { row: toItemRow(value as unknown as CatalogItem) };
  } catch (error) {
    return { result: dlq('sink', ERROR_CODES.invalidInput, `undecodable item: ${errorMessage(error)}`) };
  }
}

export function createSinkHandler(deps: {
  topics: SinkTopics;
  eventsWriter: BatchWriter;
  itemsWriter: BatchWriter;
  failedWriter: BatchWriter;
}): BatchHandler {
  return async (messages, context) => {
    const isItems = context.topic === deps.topics.items;
    const isDlq = context.topic === deps.topics.dlq;
    const writer = isItems ? deps.itemsWriter : isDlq ? deps.failedWriter : deps.eventsWriter;
    const decoded: Decoded[] = messages.map((message) =>
      isItems
        ? decodeItem(message)
        : isDlq
          ? { row: toFailedRow(message, dlqPosition(context.topic, context.partition, message.offset)) }
          : decodeEvent(message, context.partition),
    );
    const rows = decoded.flatMap((d) => ('row' in d ? [d.row] : []));
    let failure: MessageResult | undefined;
    try {
      await writer.write(rows);
    } catch (error) {
      const reason = `clickhouse refused the batch: ${errorMessage(error)}`;
      // Parking a DLQ message in the DLQ again would loop; it stays in the DLQ topic (30 days),
      // counted and logged as dropped from the table.
      failure = isTransient(error)
        ? retry(error)
        : isDlq
          ? drop(reason)
          : dlq('sink', ERROR_CODES.internal, reason);
    }
    return decoded.map((d) => ('result' in d ? d.result : (failure ?? ok)));
  };
}
