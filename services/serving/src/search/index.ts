export { CatalogIndex, FIELD_BOOSTS, type MatchMode, type SearchHit } from './catalog-index.js';
export { createSearchIndex, type SearchIndexOptions } from './index-loader.js';
export { createSearchLog, type SearchLogOptions } from './search-log.js';
export { createRefreshing, type Refreshing } from './refreshing.js';
export { DEFAULT_RERANK_WEIGHTS, rerank, type RerankWeights } from './rerank.js';
export type { SearchServices } from './search-service.js';
export { SuggestionList, complete, type Suggestion } from './suggestions.js';
