/**
 * The sink's three table writers. Events and parked failures are deduplicated against what is
 * already stored before each insert: after a crash between insert and offset commit Kafka delivers
 * them again, and the analyst materialized views (which fire on every insert) must count each once.
 * Items need no such care: `items` is a ReplacingMergeTree by version with no views on it, so a
 * repeated version is harmless.
 */
import {
  createBatchWriter,
  createRowDeduplicator,
  type BatchWriter,
  type BatchWriterOptions,
  type ClickHouse,
} from '@recstream/clickhouse';

export interface SinkWriters {
  readonly eventsWriter: BatchWriter;
  readonly itemsWriter: BatchWriter;
  readonly failedWriter: BatchWriter;
}

export function createSinkWriters(
  clickhouse: ClickHouse,
  options: Omit<BatchWriterOptions, 'table' | 'deduplicate'>,
): SinkWriters {
  return {
    eventsWriter: createBatchWriter(clickhouse, {
      ...options,
      table: 'events',
      // Copies of one event can carry different dates only if a client retry arrived after
      // midnight with no client timestamp; a day's slack covers it.
      deduplicate: createRowDeduplicator(clickhouse, {
        table: 'events',
        idColumn: 'event_id',
        dateColumn: 'event_date',
        dateSlackDays: 1,
      }),
    }),
    itemsWriter: createBatchWriter(clickhouse, { ...options, table: 'items' }),
    failedWriter: createBatchWriter(clickhouse, {
      ...options,
      table: 'failed_events',
      deduplicate: createRowDeduplicator(clickhouse, {
        table: 'failed_events',
        idColumn: 'dlq_position',
        dateColumn: 'failed_date',
        dateSlackDays: 0,
      }),
    }),
  };
}
