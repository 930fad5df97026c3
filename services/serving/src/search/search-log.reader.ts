/**
 * Reads the queries shoppers searched for from the ClickHouse `search_queries` view (migration
 * 0008; already normalised: lower case, whitespace collapsed): the most searched over a recent
 * window, keeping only queries that found items (at least one search reported results), weighted
 * by the searches not known to have found nothing.
 */
import { sql, type ClickHouse } from '@recstream/clickhouse';
import { SEARCH_QUERY_MAX_LENGTH } from '@recstream/schemas';
import type { Suggestion } from './suggestions.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SearchLogWindow {
  readonly days: number;
  /** Most queries kept (the heaviest). */
  readonly limit: number;
  readonly nowMs: number;
}

export async function readPopularQueries(
  clickhouse: ClickHouse,
  window: SearchLogWindow,
): Promise<Suggestion[]> {
  const since = new Date(window.nowMs - window.days * DAY_MS).toISOString().slice(0, 10);
  const rows = await clickhouse.query<{ query: string; weight: string | number }>(sql`
    SELECT query, sum(searches) - sum(zero_result_searches) AS weight
    FROM search_queries
    WHERE event_date >= toDate(${since}) AND query != '' AND lengthUTF8(query) <= ${SEARCH_QUERY_MAX_LENGTH}
    GROUP BY query
    HAVING sum(counted_searches) > sum(zero_result_searches)
    ORDER BY weight DESC, query
    LIMIT ${window.limit}
  `);
  // UInt64 arrives as a string in JSON output.
  return rows
    .map((row) => ({ query: row.query, weight: Number(row.weight) }))
    .filter((row) => row.weight > 0)
    .map((row) => ({ text: row.query, weight: row.weight }));
}
