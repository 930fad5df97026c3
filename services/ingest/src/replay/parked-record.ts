/**
 * What a row of `failed_events` was, and what replaying it means: an event or a catalog item, in
 * the form a client sends. Records refused at intake are stored as received; records the sink
 * could not store are enriched events, whose server fields are stripped so the collector's
 * checks and enrichment run again from scratch.
 */
import {
  PARKED_DELETION_FIELD,
  TOPICS,
  clientRecord,
  decodeEnrichedEvent,
  isParkedDeletion,
  type FailedEventRow as FailedEventsRow,
} from '@recstream/schemas';

/** The columns of `failed_events` a replay reads. */
export type FailedEventRow = Readonly<
  Pick<FailedEventsRow, 'failed_at' | 'source' | 'step' | 'reason' | 'payload' | 'dlq_position'>
>;

export type ParkedRecord =
  /** `source`: the write-key source a sink failure was sent by, kept when it is replayed. */
  | { readonly kind: 'event'; readonly value: unknown; readonly source?: string }
  | { readonly kind: 'item'; readonly value: unknown }
  /** An item deletion (a tombstone) the sink could not store: replaying it deletes the item. */
  | { readonly kind: 'deletion'; readonly itemId: string }
  | { readonly kind: 'unreadable'; readonly raw: string; readonly reason: string };

function kindOf(row: FailedEventRow): 'event' | 'item' {
  // Intake refusals name their route (`http:/v1/items`); sink failures their topic position.
  if (row.source.endsWith('/v1/items')) return 'item';
  return row.source.includes(TOPICS.items.name) ? 'item' : 'event';
}

/** The payload read as JSON; an event's through the enriched-event decoder (a sink park is one). */
function readPayload(row: FailedEventRow, kind: 'event' | 'item'): { value: unknown } | { error: string } {
  if (kind === 'event') {
    const decoded = decodeEnrichedEvent(row.payload);
    if (decoded.ok) return { value: decoded.event };
    // Refused at intake, or not an enriched event: replayed as it is, for the intake to judge.
    return decoded.refusal.kind === 'unreadable'
      ? { error: decoded.refusal.detail }
      : { value: decoded.refusal.value };
  }
  try {
    return { value: JSON.parse(row.payload) as unknown };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export function parkedRecord(row: FailedEventRow): ParkedRecord {
  const kind = kindOf(row);
  const read = readPayload(row, kind);
  if ('error' in read)
    return { kind: 'unreadable', raw: row.payload, reason: `not valid JSON: ${read.error}` };
  const { value } = read;
  // Only the sink parks deletions, under the items topic's position; a client cannot send one.
  if (kind === 'item' && row.step === 'sink' && isParkedDeletion(value))
    return { kind: 'deletion', itemId: value[PARKED_DELETION_FIELD] };
  if (kind === 'event' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { source, event_time: eventTime } = value as Record<string, unknown>;
    // What the collector added is stripped, so its checks and enrichment run again from scratch.
    const event = clientRecord(value as Record<string, unknown>);
    // A sink failure was accepted once: it keeps the time it happened (an event sent without a
    // client time was timed at its first receipt, not at the replay; the collector's age limit
    // still applies) and the write-key source that sent it.
    if (row.step === 'sink' && event['timestamp'] === undefined && typeof eventTime === 'string')
      event['timestamp'] = eventTime;
    return row.step === 'sink' && typeof source === 'string' && source !== ''
      ? { kind, value: event, source }
      : { kind, value: event };
  }
  return { kind, value };
}
