/**
 * What a row of `failed_events` was, and what replaying it means: an event or a catalog item, in
 * the form a client sends. Records refused at intake are stored as received; records the sink
 * could not store are enriched events, whose server fields are stripped so the collector's
 * checks and enrichment run again from scratch.
 */
import { TOPICS } from '@recstream/schemas';
import { PARKED_DELETION_FIELD } from '../writers/failed-row.js';

export interface FailedEventRow {
  readonly failed_at: string;
  readonly source: string;
  readonly step: string;
  readonly reason: string;
  readonly payload: string;
  readonly dlq_position: string;
}

export type ParkedRecord =
  /** `source`: the write-key source a sink failure was sent by, kept when it is replayed. */
  | { readonly kind: 'event'; readonly value: unknown; readonly source?: string }
  | { readonly kind: 'item'; readonly value: unknown }
  /** An item deletion (a tombstone) the sink could not store: replaying it deletes the item. */
  | { readonly kind: 'deletion'; readonly itemId: string }
  | { readonly kind: 'unreadable'; readonly raw: string; readonly reason: string };

/** Fields the collector adds; a client never sends them, so the contract refuses them. */
const SERVER_FIELDS = [
  'schema_version',
  'received_at',
  'event_time',
  'time_correction',
  'source',
  'device',
  'ip_prefix',
];

function kindOf(row: FailedEventRow): 'event' | 'item' {
  // Intake refusals name their route (`http:/v1/items`); sink failures their topic position.
  if (row.source.endsWith('/v1/items')) return 'item';
  return row.source.includes(TOPICS.items.name) ? 'item' : 'event';
}

function isParkedDeletion(value: unknown): value is Record<typeof PARKED_DELETION_FIELD, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as Record<string, unknown>)[PARKED_DELETION_FIELD] === 'string'
  );
}

export function parkedRecord(row: FailedEventRow): ParkedRecord {
  let value: unknown;
  try {
    value = JSON.parse(row.payload);
  } catch (error) {
    return { kind: 'unreadable', raw: row.payload, reason: `not valid JSON: ${(error as Error).message}` };
  }
  const kind = kindOf(row);
  // Only the sink parks deletions, under the items topic's position; a client cannot send one.
  if (kind === 'item' && row.step === 'sink' && isParkedDeletion(value))
    return { kind: 'deletion', itemId: value[PARKED_DELETION_FIELD] };
  if (kind === 'event' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const event = { ...(value as Record<string, unknown>) };
    const { source, event_time: eventTime } = event;
    for (const field of SERVER_FIELDS) delete event[field];
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
