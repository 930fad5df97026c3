/**
 * Maps a message parked in the DLQ (original value + DLQ headers) to a row of the `failed_events`
 * table (schemas/migrations/clickhouse/0003_failed_events.sql). Pure.
 */
import { formatDateTime } from '@recstream/clickhouse';
import { DLQ_HEADERS } from '@recstream/schemas';
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

/** Where the parked message sits in the DLQ: the id the sink dedups `failed_events` rows by. */
export function dlqPosition(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

export function toFailedRow(message: KafkaMessage, position: string) {
  const payload = message.value?.toString('utf8') ?? '';
  const parkedAt = Date.parse(header(message, DLQ_HEADERS.at));
  const failedAt = new Date(Number.isNaN(parkedAt) ? Number(message.timestamp) : parkedAt);
  return {
    failed_at: formatDateTime(failedAt),
    source: header(message, DLQ_HEADERS.source),
    step: header(message, DLQ_HEADERS.step),
    reason: header(message, DLQ_HEADERS.reason),
    error_code: header(message, DLQ_HEADERS.code),
    event_id: eventIdOf(payload),
    payload,
    dlq_position: position,
    failed_date: failedAt.toISOString().slice(0, 10),
  };
}
