/**
 * What a row of `failed_events` was, and what replaying it means: an event or a catalog item, in
 * the form a client sends. Records refused at intake are stored as received; records the sink
 * could not store are enriched events, whose server fields are stripped so the collector's
 * checks and enrichment run again from scratch.
 */
import { TOPICS } from '@recstream/schemas';

export interface FailedEventRow {
  readonly failed_at: string;
  readonly source: string;
  readonly step: string;
  readonly reason: string;
  readonly payload: string;
  readonly dlq_position: string;
}

export type ParkedRecord =
  | { readonly kind: 'event' | 'item'; readonly value: unknown }
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

export function parkedRecord(row: FailedEventRow): ParkedRecord {
  let value: unknown;
  try {
    value = JSON.parse(row.payload);
  } catch (error) {
    return { kind: 'unreadable', raw: row.payload, reason: `not valid JSON: ${(error as Error).message}` };
  }
  const kind = kindOf(row);
  if (kind === 'event' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const event = { ...(value as Record<string, unknown>) };
    for (const field of SERVER_FIELDS) delete event[field];
    return { kind, value: event };
  }
  return { kind, value };
}
