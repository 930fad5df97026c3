/**
 * What the search routes are built from: the refreshing catalog index, the refreshing list of
 * past queries (absent when ClickHouse is not configured) and the re-ranking weights.
 */
import type { CatalogIndex } from './catalog-index.js';
import type { Refreshing } from './refreshing.js';
import type { RerankWeights } from './rerank.js';
import type { SuggestionList } from './suggestions.js';

export interface SearchServices {
  readonly index: Refreshing<CatalogIndex>;
  /** Past queries from the search log; without it suggestions come from catalog title words. */
  readonly searchLog?: Refreshing<SuggestionList> | undefined;
  /** Defaults to DEFAULT_RERANK_WEIGHTS. */
  readonly weights?: RerankWeights | undefined;
}
