/**
 * The sink's per-batch logic: decode each Kafka message into a ClickHouse row, check it against
 * the table's column types, hand the rows to the table's batch writer, and report one result per
 * message. Rows are durable when `write` resolves; only then are the messages `ok`, so their
 * offsets may be committed. A row that cannot fit its table, or that ClickHouse refuses (the writer
 * isolates it from the rest of the batch), is parked alone with its reason; the others are stored.
 */
import { RefusedRowsError, type BatchWriter } from '@recstream/clickhouse';
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
import { DEFAULT_ITEM_MAX_FUTURE_SKEW_MS, decodeEnrichedEvent, type CatalogItem } from '@recstream/schemas';
import { toEventRow } from '../writers/event-row.js';
import { dlqPosition, toFailedRow } from '../writers/failed-row.js';
import { toItemRow } from '../writers/item-row.js';
import {
  EVENT_COLUMNS,
  FAILED_EVENT_COLUMNS,
  ITEM_COLUMNS,
  fitRow,
  type TableColumns,
} from '../writers/table-columns.js';

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
  // A row is keyed by its event time; what else it needs, the column checks judge.
  const decoded = decodeEnrichedEvent(message.value, { times: ['event_time'] });
  if (!decoded.ok) return { result: dlq('sink', ERROR_CODES.invalidInput, decoded.refusal.reason) };
  try {
    return { row: toEventRow(decoded.event, { partition, offset: message.offset }) };
  } catch (error) {
    return { result: dlq('sink', ERROR_CODES.invalidInput, `undecodable event: ${errorMessage(error)}`) };
  }
}

/**
 * The version of an item row: the time the items topic received the record (its Kafka timestamp,
 * set by the collector), for upserts and deletions alike, never the client's `updated_at`.
 * - A client clock cannot push it into the future: an item sent with `updated_at` in 2100 and
 *   deleted later is deleted, and a later fix replaces it.
 * - The record received last wins, as in the feature store (which applies the items topic in
 *   order), so ClickHouse and serving agree; Kafka keeps the order per item id (its key), and a
 *   re-creation after a deletion is live in both, whatever its `updated_at`.
 * - It does not change when the sink reads the topic again (the timestamp is stored in Kafka), so
 *   redeliveries and replays of the topic keep their order.
 * Capped at the sink's clock plus the allowed skew, since a producer that bypasses the collector
 * chooses the timestamp; a missing or negative one (which a UInt64 cannot hold) is the sink's time.
 */
function itemVersion(message: KafkaMessage, nowMs: number): number {
  const at = Number(message.timestamp);
  if (!Number.isSafeInteger(at) || at <= 0) return nowMs;
  return Math.min(at, nowMs + DEFAULT_ITEM_MAX_FUTURE_SKEW_MS);
}

function decodeItem(message: KafkaMessage, nowMs: number): Decoded {
  const itemId = message.key?.toString('utf8') ?? '';
  const version = itemVersion(message, nowMs);
  if (message.value === null) {
    // A tombstone deletes the item: a version flagged as deleted, so it outranks every version the
    // topic received before it, and none received after it.
    const at = new Date(version);
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
        version,
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
    return { row: { ...toItemRow(value as unknown as CatalogItem), version } };
  } catch (error) {
    return { result: dlq('sink', ERROR_CODES.invalidInput, `undecodable item: ${errorMessage(error)}`) };
  }
}

/** A ClickHouse error message repeats the row it could not read; the reason keeps its start. */
const MAX_REASON_LENGTH = 1000;

function clip(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 3)}...` : text;
}

export function createSinkHandler(deps: {
  topics: SinkTopics;
  eventsWriter: BatchWriter;
  itemsWriter: BatchWriter;
  failedWriter: BatchWriter;
  /** The sink's clock (epoch ms), which caps item versions; default `Date.now`. */
  now?: () => number;
}): BatchHandler {
  const now = deps.now ?? Date.now;
  return async (messages, context) => {
    const isItems = context.topic === deps.topics.items;
    const isDlq = context.topic === deps.topics.dlq;
    const writer = isItems ? deps.itemsWriter : isDlq ? deps.failedWriter : deps.eventsWriter;
    const table = isItems ? 'items' : isDlq ? 'failed_events' : 'events';
    const columns: TableColumns = isItems ? ITEM_COLUMNS : isDlq ? FAILED_EVENT_COLUMNS : EVENT_COLUMNS;
    // Parking a DLQ message in the DLQ again would loop; it stays in the DLQ topic (30 days),
    // counted and logged as dropped from the table.
    const refuse = (reason: string, code: string = ERROR_CODES.invalidInput): MessageResult =>
      isDlq ? drop(clip(reason)) : dlq('sink', code, clip(reason));
    const nowMs = now();
    const decoded: Decoded[] = messages.map((message) => {
      const one = isItems
        ? decodeItem(message, nowMs)
        : isDlq
          ? { row: toFailedRow(message, dlqPosition(context.topic, context.partition, message.offset)) }
          : decodeEvent(message, context.partition);
      if ('result' in one) return one;
      const fitted = fitRow(one.row, columns);
      return 'row' in fitted
        ? fitted
        : { result: refuse(`row does not fit the ${table} table: ${fitted.problem}`) };
    });
    const written = decoded.flatMap((d, index) => ('row' in d ? [index] : []));
    const rows = written.map((index) => (decoded[index] as { row: object }).row);
    const results = decoded.map((d) => ('result' in d ? d.result : ok));
    try {
      await writer.write(rows);
    } catch (error) {
      if (error instanceof RefusedRowsError) {
        // The writer stored every other row; only the rows ClickHouse refused on their own are parked.
        for (const [index, cause] of error.refused) {
          const at = written[index];
          if (at !== undefined)
            results[at] = refuse(`clickhouse refused the row: ${errorMessage(cause)}`, ERROR_CODES.internal);
        }
        return results;
      }
      const failure = isTransient(error)
        ? retry(error)
        : refuse(`clickhouse refused the batch: ${errorMessage(error)}`, ERROR_CODES.internal);
      for (const index of written) results[index] = failure;
    }
    return results;
  };
}
