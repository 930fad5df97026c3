export * from './keys.js';
export * from './bounds.js';
export * from './popularity.js';
export * from './windows.js';
export { readTopPopular, type PopularItem } from './popularity.reader.js';
export { parseStoredItemMeta, toItemMeta, readItemMeta, type ItemMeta } from './item-meta.js';
export {
  CATALOG_LOG_MAX_ENTRIES,
  bumpCatalogVersion,
  catalogVersionStamp,
  parseCatalogVersion,
  readCatalogChanges,
  readCatalogVersion,
  readWholeCatalog,
  removeFromCatalog,
  writeCatalog,
  type CatalogVersion,
} from './catalog-version.js';
export {
  readSubjectFeatures,
  type Affinity,
  type RecentSearch,
  type SequenceEntry,
  type SubjectFeatures,
  type SubjectIds,
  type SubjectReadOptions,
  type TimedItem,
} from './subject.reader.js';
export { parseSequenceMember } from './subject-features.js';
export { readItemStats, type ItemStats } from './item-stats.reader.js';
export { CTR_PRIOR_FALLBACK_MEAN, CTR_PRIOR_STRENGTH, ctrPrior, smoothedCtr, type CtrPrior } from './ctr.js';
export {
  windowReadPlan,
  sumWindows,
  type WindowCounts,
  type WindowName,
  type WindowReadPlan,
} from './window-counts.js';
export { TRENDING_PRIOR_WEIGHT, trendingScore } from './trending.js';
export {
  readTrending,
  TRENDING_MAX_K,
  TRENDING_MIN_CANDIDATES,
  TRENDING_OVERFETCH,
  type TrendingItem,
} from './trending.reader.js';
export { readCategoryTop, categoryKeyName } from './category-top.reader.js';
export {
  readBoughtTogether,
  readCovisitNeighbours,
  NEIGHBOURS_SERVED_MAX,
  type ItemNeighbours,
  type Neighbour,
} from './neighbours.reader.js';
