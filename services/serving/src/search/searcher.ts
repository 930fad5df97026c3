/**
 * Answers one search: text matches from the in-memory index, narrowed by the request's filters,
 * re-ranked for the shopper (rerank.ts) with their features read from Redis under the feature
 * budget. A query nothing matches is answered with its closest matches (any word, more typos),
 * else with popular items (of the requested category), and says so (`zero_results`).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  currentCount,
  featureKeys,
  readCategoryTop,
  readSubjectFeatures,
  readTopPopular,
  type ItemMeta,
  type PopularItem,
} from '@recstream/features';
import type { Logger } from '@recstream/logger';
import type { SearchItem, SearchQuery, SearchReasonCode, SearchResponse } from '@recstream/schemas';
import { startDeadline } from '../pipeline/deadline.js';
import { parseCategoryPath, rejection, type FilterSpec } from '../pipeline/filters.js';
import type { CatalogIndex, SearchHit } from './catalog-index.js';
import { rerank, tasteOf, type Match, type RerankWeights, type ShopperTaste } from './rerank.js';
import type { SearchMetrics } from './search-metrics.js';
import { normaliseQuery } from './search-text.js';

/** Matches re-ranked per request, at most: below them text relevance alone would not reach the page. */
export const RERANK_DEPTH = 200;
/** Popular items read for a zero-result answer, to have enough left after the filters. */
const POPULAR_DEPTH = 500;
/** Affinities read per kind: the strongest few carry the taste. */
const AFFINITY_LIMIT = 20;

export interface SearcherDeps {
  readonly index: () => CatalogIndex;
  readonly redis: Redis;
  readonly redisPrefix: string;
  /** Budget for the feature reads of one search; past it the order is text relevance alone. */
  readonly featureTimeoutMs: number;
  readonly weights: RerankWeights;
  readonly metrics: SearchMetrics;
  readonly logger: Logger;
  readonly clock?: () => number;
}

export type Searcher = (request: SearchQuery) => Promise<SearchResponse>;

export function createSearcher(deps: SearcherDeps): Searcher {
  const clock = deps.clock ?? Date.now;

  /** The shopper's taste and the matches' popularity, or undefined when Redis failed or was slow. */
  const readSignals = async (
    request: SearchQuery,
    itemIds: readonly string[],
    nowMs: number,
  ): Promise<{ taste: ShopperTaste | undefined; popularity: Map<string, number> } | undefined> => {
    const deadline = startDeadline(deps.featureTimeoutMs);
    try {
      const ids = {
        userId: request.user_id,
        anonymousId: request.anonymous_id,
        sessionId: request.session_id,
      };
      const hasShopper =
        ids.userId !== undefined || ids.anonymousId !== undefined || ids.sessionId !== undefined;
      const [features, scores] = await deadline.within(
        Promise.all([
          hasShopper
            ? readSubjectFeatures(deps.redis, deps.redisPrefix, ids, {
                nowMs,
                affinityLimit: AFFINITY_LIMIT,
                sequenceLimit: 0,
                searchesLimit: 0,
                cartLimit: 0,
                purchasedLimit: 0,
              })
            : undefined,
          itemIds.length === 0
            ? []
            : deps.redis.zmscore(featureKeys(deps.redisPrefix).itemPopularity(), ...itemIds),
        ]),
      );
      const popularity = new Map<string, number>();
      scores.forEach((score, i) => {
        if (score !== null) popularity.set(itemIds[i] as string, currentCount(Number(score), nowMs));
      });
      const taste =
        features === undefined ? undefined : tasteOf(features.categoryAffinities, features.brandAffinities);
      return { taste, popularity };
    } catch (err) {
      deps.logger.warn({ err }, 'search features unavailable; ranking by text relevance alone');
      deps.metrics.degraded();
      return undefined;
    } finally {
      deadline.clear();
    }
  };

  /** Popular items passing the filters: the category's top list when one is asked for. */
  const readPopular = async (
    categoryPath: readonly string[] | undefined,
    nowMs: number,
  ): Promise<PopularItem[]> =>
    categoryPath === undefined
      ? readTopPopular(deps.redis, deps.redisPrefix, POPULAR_DEPTH, nowMs)
      : readCategoryTop(deps.redis, deps.redisPrefix, categoryPath, POPULAR_DEPTH, nowMs);

  return async (request) => {
    const nowMs = clock();
    const index = deps.index();
    const query = normaliseQuery(request.q);
    const categoryPath = request.category === undefined ? undefined : parseCategoryPath(request.category);
    const spec: FilterSpec = {
      excludeIds: new Set(),
      categoryPrefix: categoryPath,
      priceMin: request.price_min,
      priceMax: request.price_max,
      inStockOnly: request.in_stock,
    };
    const passing = (hits: readonly SearchHit[]): Match[] => {
      const kept: Match[] = [];
      for (const hit of hits) {
        const meta = index.meta(hit.itemId);
        if (meta !== undefined && rejection(hit.itemId, meta, spec) === undefined)
          kept.push({ meta, relevance: hit.relevance });
      }
      return kept;
    };

    let matches = passing(index.find(query, 'strict'));
    const totalMatches = matches.length;
    let code: SearchReasonCode = 'matches_query';
    if (matches.length === 0) {
      matches = passing(index.find(query, 'relaxed'));
      code = 'close_match';
    }

    if (matches.length > 0) {
      const considered = matches.slice(0, RERANK_DEPTH);
      const signals = await readSignals(
        request,
        considered.map((m) => m.meta.itemId),
        nowMs,
      );
      const ranked = rerank(considered, signals?.popularity ?? new Map(), signals?.taste, deps.weights);
      const text = code === 'matches_query' ? `Matches “${query}”` : `Close to “${query}”`;
      deps.metrics.answered(code === 'matches_query' ? 'matched' : 'close_matches');
      return {
        request_id: randomUUID(),
        query,
        items: ranked.slice(0, request.k).map((r) => toItem(r.meta, r.score, r.relevance, code, text)),
        total_matches: totalMatches,
        zero_results: code !== 'matches_query',
        ...(code === 'matches_query' ? {} : { zero_results_strategy: 'close_matches' as const }),
        personalised: signals?.taste !== undefined && ranked.some((r) => r.affinity > 0),
        degraded: signals === undefined,
      };
    }

    // Nothing resembles the query: popular items, so the page is never empty without a reason.
    let popular: PopularItem[] = [];
    let degraded = false;
    try {
      popular = await readPopular(categoryPath, nowMs);
    } catch (err) {
      deps.logger.warn({ err }, 'popular items unavailable for a zero-result search');
      deps.metrics.degraded();
      degraded = true;
    }
    const popularCode: SearchReasonCode = categoryPath === undefined ? 'popular_now' : 'popular_in_category';
    const popularText =
      categoryPath === undefined ? 'Popular right now' : `Popular in ${categoryPath.join(' > ')}`;
    const items: SearchItem[] = [];
    for (const entry of popular) {
      if (items.length === request.k) break;
      const meta = index.meta(entry.itemId);
      if (meta === undefined || rejection(entry.itemId, meta, spec) !== undefined) continue;
      items.push(toItem(meta, entry.score, 0, popularCode, popularText));
    }
    deps.metrics.answered('popular');
    return {
      request_id: randomUUID(),
      query,
      items,
      total_matches: 0,
      zero_results: true,
      zero_results_strategy: 'popular',
      personalised: false,
      degraded,
    };
  };
}

function toItem(
  meta: ItemMeta,
  score: number,
  relevance: number,
  code: SearchReasonCode,
  text: string,
): SearchItem {
  return {
    item_id: meta.itemId,
    score,
    relevance,
    title: meta.title,
    category: meta.category,
    brand: meta.brand,
    price: meta.price,
    currency: meta.currency,
    reason: { code, text },
  };
}
