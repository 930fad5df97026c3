/**
 * Reads the behaviour log back from ClickHouse as the events the live consumer saw: each row
 * becomes the EnrichedEvent fields the feature compiler uses, with millisecond times and the
 * (partition, offset) it had in the events topic, in topic order per partition.
 */
import type { ClickHouse } from '@recstream/clickhouse';
import {
  ENRICHED_EVENT_SELECT,
  enrichedEventOf,
  type EnrichedEvent,
  type EnrichedEventRow,
} from '@recstream/schemas';

export interface LoggedEvent {
  readonly partition: number;
  readonly offset: string;
  /**
   * Undefined for a type this version does not know (logged from a producer that bypassed the
   * collector): the live consumer parks such a message, a rebuild skips it.
   */
  readonly event: EnrichedEvent | undefined;
}

// kafka_offset is not aliased to text in SQL: an alias would shadow the column in ORDER BY.
const SELECT = `
  SELECT ${ENRICHED_EVENT_SELECT}
  FROM events
  WHERE kafka_partition >= 0
  ORDER BY kafka_partition, kafka_offset`;

/** A logged row as the event the compiler reads, at its position in the events topic. */
export function toLoggedEvent(row: EnrichedEventRow): LoggedEvent {
  return { partition: row.kafka_partition, offset: String(row.kafka_offset), event: enrichedEventOf(row) };
}

/** How many logged events a rebuild will read, and how many it cannot place (logged before positions were). */
export async function countLoggedEvents(
  clickhouse: ClickHouse,
): Promise<{ positioned: number; unpositioned: number }> {
  const [row] = await clickhouse.query<{ positioned: string; unpositioned: string }>(
    `SELECT toString(countIf(kafka_partition >= 0)) AS positioned,
            toString(countIf(kafka_partition < 0)) AS unpositioned
     FROM events`,
  );
  return { positioned: Number(row?.positioned ?? 0), unpositioned: Number(row?.unpositioned ?? 0) };
}

/** The log in topic order per partition, streamed in chunks. */
export async function* readEventLog(clickhouse: ClickHouse): AsyncIterable<LoggedEvent[]> {
  for await (const rows of clickhouse.stream<EnrichedEventRow>(SELECT)) yield rows.map(toLoggedEvent);
}
