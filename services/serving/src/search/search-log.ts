/**
 * The suggestion list learned from the search log, reloaded from ClickHouse every `refreshMs`.
 * Without ClickHouse (not configured) or before the first load it is empty, and suggestions come
 * from the catalog's title words instead.
 */
import type { ClickHouse } from '@recstream/clickhouse';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { createRefreshing, type Refreshing } from './refreshing.js';
import { readPopularQueries } from './search-log.reader.js';
import { SuggestionList } from './suggestions.js';

export interface SearchLogOptions {
  readonly clickhouse: ClickHouse;
  /** Days of searches counted. */
  readonly windowDays: number;
  /** Most distinct queries kept in memory. */
  readonly maxQueries: number;
  /** How often the list is reloaded; 0: only when `refresh` is called. */
  readonly refreshMs: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly clock?: () => number;
}

export function createSearchLog(options: SearchLogOptions): Refreshing<SuggestionList> {
  const queries = options.metrics.gauge(
    'search_suggestion_queries',
    'Queries from the search log offered as suggestions',
  );
  const loads = options.metrics.counter(
    'search_suggestion_loads_total',
    'Reloads of the suggestion list from the search log, by result',
    ['result'],
  );
  const clock = options.clock ?? Date.now;
  return createRefreshing({
    name: 'search suggestions',
    initial: new SuggestionList([]),
    intervalMs: options.refreshMs,
    logger: options.logger,
    build: async () =>
      new SuggestionList(
        await readPopularQueries(options.clickhouse, {
          days: options.windowDays,
          limit: options.maxQueries,
          nowMs: clock(),
        }),
      ),
    onBuilt: (list) => {
      queries.set(list.size);
      loads.inc({ result: 'ok' });
    },
    onFailed: () => loads.inc({ result: 'failed' }),
  });
}
