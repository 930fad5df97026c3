/**
 * Loads the catalog from the feature store's item meta hash (`<p>:f1:item:meta`, written by the
 * feature service from the items topic) and builds the search index from it. HSCAN in pages rather
 * than one HGETALL, so a large catalog never blocks Redis for the other clients.
 */
import type { Redis } from 'ioredis';
import { featureKeys, type ItemMeta } from '@recstream/features';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { CatalogIndex } from './catalog-index.js';
import { createRefreshing, type Refreshing } from './refreshing.js';

/** Fields per HSCAN page. */
const SCAN_COUNT = 1000;

export async function readCatalog(redis: Redis, prefix: string): Promise<ItemMeta[]> {
  const key = featureKeys(prefix).itemMeta();
  const items: ItemMeta[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', SCAN_COUNT);
    for (let i = 1; i < flat.length; i += 2) items.push(JSON.parse(flat[i] as string) as ItemMeta);
    cursor = next;
  } while (cursor !== '0');
  return items;
}

export interface SearchIndexOptions {
  readonly redis: Redis;
  readonly redisPrefix: string;
  /** How often the index is rebuilt from the hash; 0: only when `refresh` is called. */
  readonly refreshMs: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly clock?: () => number;
}

/**
 * The catalog index, rebuilt in full every `refreshMs` off the request path (a 50k-item catalog
 * builds in about a second, in chunks that let requests through). Empty until the first build;
 * `/readyz` does not wait for it: an empty catalog answers searches with popular items.
 */
export function createSearchIndex(options: SearchIndexOptions): Refreshing<CatalogIndex> {
  const items = options.metrics.gauge('search_index_items', 'Items in the search index');
  const seconds = options.metrics.gauge(
    'search_index_build_seconds',
    'How long the last search index build took (read from Redis and index)',
  );
  const builds = options.metrics.counter(
    'search_index_builds_total',
    'Search index refreshes, by result: ok (rebuilt), unchanged (catalog unchanged since the last build: kept), failed',
    ['result'],
  );
  const clock = options.clock ?? Date.now;
  return createRefreshing({
    name: 'search index',
    initial: CatalogIndex.empty(),
    intervalMs: options.refreshMs,
    logger: options.logger,
    // Rebuilt only when the catalog changed: the feature service bumps this counter on every write.
    stamp: async () =>
      (await options.redis.get(featureKeys(options.redisPrefix).itemMetaChanges())) ?? undefined,
    build: async () => CatalogIndex.build(await readCatalog(options.redis, options.redisPrefix), clock()),
    onBuilt: (index, took) => {
      items.set(index.size);
      seconds.set(took);
      builds.inc({ result: 'ok' });
    },
    onFailed: () => builds.inc({ result: 'failed' }),
    onSkipped: () => builds.inc({ result: 'unchanged' }),
  });
}
