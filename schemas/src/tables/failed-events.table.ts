/**
 * The `failed_events` table (schemas/migrations/clickhouse/0003, 0004): every message parked in the
 * DLQ, with its reason. The ingest sink writes it (services/ingest/src/writers/failed-row.ts); the
 * DLQ replay reads it back (services/ingest/src/replay).
 */
import type { RowOf, TableColumns } from './column-types.js';

export const FAILED_EVENT_COLUMNS = {
  failed_at: 'DateTime',
  source: 'String',
  step: 'String',
  reason: 'String',
  error_code: 'String',
  event_id: 'String',
  payload: 'String',
  dlq_position: 'String',
  failed_date: 'Date',
} as const satisfies TableColumns;

export type FailedEventRow = RowOf<typeof FAILED_EVENT_COLUMNS>;

/**
 * An item deletion is a tombstone: the item id as key, no value. `failed_events` keeps no key, so a
 * parked deletion is stored as this payload instead of an empty one, and a replay can delete the
 * item again. Only sink parks of the items topic are read this way.
 */
export const PARKED_DELETION_FIELD = 'deleted_item_id';

export function parkedDeletionPayload(itemId: string): string {
  return JSON.stringify({ [PARKED_DELETION_FIELD]: itemId });
}

/** Whether a parked payload, read as JSON, is a parked deletion (and nothing else). */
export function isParkedDeletion(value: unknown): value is Record<typeof PARKED_DELETION_FIELD, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as Record<string, unknown>)[PARKED_DELETION_FIELD] === 'string'
  );
}
