/**
 * Insert-time deduplication by a unique id column.
 *
 * Kafka delivers at least once: a sink that crashes after its insert but before committing offsets
 * receives the same messages again. ReplacingMergeTree collapses such copies in the base table only
 * eventually (on merge), and materialized views fire on every insert, so a redelivered event would
 * be counted twice in every rollup. The sink therefore asks ClickHouse which ids of a batch are
 * already stored and inserts only the others (and only the first copy of an id within a batch).
 *
 * The lookup is bounded by the partitioning date column (± `dateSlackDays`) so it reads a few days'
 * granules, not the whole table. Its correctness rests on one writer per id at a time: ids are keyed
 * to Kafka partitions and a partition has one consumer in a group.
 */
import type { ClickHouse } from './client.js';
import { ident, sql } from './sql.js';

export interface DeduplicatorOptions {
  readonly table: string;
  /** String column holding the unique id. */
  readonly idColumn: string;
  /** Date column (`YYYY-MM-DD` in the rows) that bounds the lookup; usually the partition key. */
  readonly dateColumn: string;
  /** Copies of one id may carry dates this many days apart (e.g. a client retry re-stamped later). */
  readonly dateSlackDays?: number;
  /** Ids per lookup query. */
  readonly lookupChunk?: number;
}

export type RowDeduplicator = (rows: readonly object[]) => Promise<object[]>;

const DAY_MS = 86_400_000;

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function stringField(row: object, column: string): string {
  const value = (row as Record<string, unknown>)[column];
  if (typeof value !== 'string') throw new TypeError(`row has no string column ${column}`);
  return value;
}

export function createRowDeduplicator(clickhouse: ClickHouse, options: DeduplicatorOptions): RowDeduplicator {
  const slack = options.dateSlackDays ?? 1;
  const chunk = options.lookupChunk ?? 50_000;
  const table = ident(options.table);
  const idColumn = ident(options.idColumn);
  const dateColumn = ident(options.dateColumn);

  async function storedIds(ids: readonly string[], from: string, to: string): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < ids.length; start += chunk) {
      // The ids travel as an external table: far cheaper for the server than a literal IN list.
      const rows = await clickhouse.queryWithTable<{ id: string }>(
        sql`SELECT DISTINCT ${idColumn} AS id FROM ${table}
            WHERE ${dateColumn} BETWEEN toDate(${from}) AND toDate(${to})
              AND ${idColumn} IN (SELECT id FROM batch_ids)`,
        { name: 'batch_ids', column: 'id', values: ids.slice(start, start + chunk) },
      );
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  return async (rows) => {
    const firstCopies = new Map<string, object>();
    let minDate: string | undefined;
    let maxDate: string | undefined;
    for (const row of rows) {
      const id = stringField(row, options.idColumn);
      if (firstCopies.has(id)) continue;
      firstCopies.set(id, row);
      const date = stringField(row, options.dateColumn);
      if (minDate === undefined || date < minDate) minDate = date;
      if (maxDate === undefined || date > maxDate) maxDate = date;
    }
    if (minDate === undefined || maxDate === undefined) return [];
    const stored = await storedIds(
      [...firstCopies.keys()],
      shiftDate(minDate, -slack),
      shiftDate(maxDate, slack),
    );
    return [...firstCopies].filter(([id]) => !stored.has(id)).map(([, row]) => row);
  };
}
