/**
 * Maps a message parked in the DLQ (original value + DLQ headers) to a row of the `failed_events`
 * table (`FAILED_EVENT_COLUMNS` in @recstream/schemas). Pure. A parked item deletion is stored as
 * `parkedDeletionPayload`, so that a replay can delete the item again.
 */
import { formatDateTime } from '@recstream/clickhouse';
import { DLQ_HEADERS, TOPICS, parkedDeletionPayload, type FailedEventRow } from '@recstream/schemas';
import type { KafkaMessage } from '@recstream/kafka';

function header(message: KafkaMessage, name: string): string {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}

/** The event id, when the payload is JSON that has one; refused records often do not. */
function eventIdOf(payload: string): string {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed === 'object' && parsed !== null && 'event_id' in parsed) {
      const id = parsed.event_id;
      return typeof id === 'string' ? id.slice(0, 256) : '';
    }
  } catch {
    // not JSON: that is often why it was refused
  }
  return '';
}

/** The time `failed_at` (a DateTime) can hold; a header from outside may say anything. */
const FAILED_AT_MIN = Date.parse('1970-01-01T00:00:01Z');
const FAILED_AT_MAX = Date.parse('2105-12-31T23:59:59Z');

function storableTime(ms: number): boolean {
  return ms >= FAILED_AT_MIN && ms <= FAILED_AT_MAX;
}

/** Where the parked message sits in the DLQ: the id the sink dedups `failed_events` rows by. */
export function dlqPosition(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

export function toFailedRow(message: KafkaMessage, position: string): FailedEventRow {
  const source = header(message, DLQ_HEADERS.source);
  const tombstone =
    message.value === null &&
    message.key !== null &&
    header(message, DLQ_HEADERS.step) === 'sink' &&
    source.includes(TOPICS.items.name);
  const payload = tombstone
    ? parkedDeletionPayload(message.key?.toString('utf8') ?? '')
    : (message.value?.toString('utf8') ?? '');
  const parkedAt = Date.parse(header(message, DLQ_HEADERS.at));
  // The DLQ's own timestamp when the header is missing or outside what the column can hold.
  const failedAt = new Date(storableTime(parkedAt) ? parkedAt : Number(message.timestamp));
  return {
    failed_at: storableTime(failedAt.getTime()) ? formatDateTime(failedAt) : '',
    source,
    step: header(message, DLQ_HEADERS.step),
    reason: header(message, DLQ_HEADERS.reason),
    error_code: header(message, DLQ_HEADERS.code),
    event_id: eventIdOf(payload),
    payload,
    dlq_position: position,
    failed_date: storableTime(failedAt.getTime()) ? failedAt.toISOString().slice(0, 10) : '',
  };
}
