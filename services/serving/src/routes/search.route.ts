/**
 * GET /v1/search — items matching a query, re-ranked for the shopper (search/rerank.ts), with a
 * useful answer when nothing matches; GET /v1/search/suggest — completions of what the shopper has
 * typed, learned from the search log (or the catalog's title words while the log is empty).
 */
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  SearchResponse,
  SuggestQuery,
  SuggestResponse,
  searchQuery,
  type SearchQuery,
} from '@recstream/schemas';
import { DEFAULT_RERANK_WEIGHTS } from '../search/rerank.js';
import type { Searcher } from '../search/searcher.js';
import { complete, SuggestionList } from '../search/suggestions.js';
import type { SearchServices } from '../search/search-service.js';
import { normaliseQuery } from '../search/search-text.js';
import type { ImpressionLog } from '../impressions/impression-log.js';

const NO_QUERIES = new SuggestionList([]);

/** The query normalised; blank (only spaces) is refused like an empty one. */
function requireText(q: string): string {
  const text = normaliseQuery(q);
  if (text === '') throw new PermanentError(ERROR_CODES.invalidInput, 'querystring/q must not be blank');
  return text;
}

export function registerSearchRoutes(
  app: FastifyInstance,
  deps: {
    search: SearchServices;
    searcher: Searcher;
    maxK: number;
    impressions?: ImpressionLog | undefined;
    clock?: (() => number) | undefined;
  },
): void {
  const weights = deps.search.weights ?? DEFAULT_RERANK_WEIGHTS;
  app.get<{ Querystring: SearchQuery }>(
    '/v1/search',
    {
      schema: {
        summary: 'Search the catalog, re-ranked for the shopper',
        description:
          'BM25 over titles, brands and categories (prefix on the last word, one typo in longer words), ' +
          `then score = relevance × (1 + ${weights.affinity}·affinity + ${weights.popularity}·popularity) ` +
          "with the shopper's category and brand affinities. A query nothing matches is answered with " +
          'close matches, else popular items, flagged `zero_results`.',
        tags: ['search'],
        querystring: searchQuery(deps.maxK),
        response: { 200: SearchResponse },
      },
    },
    async (request) => {
      requireText(request.query.q);
      const { price_min, price_max } = request.query;
      if (price_min !== undefined && price_max !== undefined && price_min > price_max) {
        throw new PermanentError(
          ERROR_CODES.invalidInput,
          `querystring/price_min (${price_min}) must not exceed price_max (${price_max})`,
        );
      }
      const answer = await deps.searcher(request.query);
      // Logged like every other answer, so clicks on search results are attributed.
      const { user_id, anonymous_id, session_id } = request.query;
      deps.impressions?.record({
        requestId: answer.request_id,
        list: 'search',
        userId: user_id,
        anonymousId: anonymous_id,
        sessionId: session_id,
        itemIds: answer.items.map((item) => item.item_id),
        ranker: 'search',
        degraded: answer.degraded,
        at: new Date((deps.clock ?? Date.now)()),
      });
      return answer;
    },
  );

  app.get<{ Querystring: SuggestQuery }>(
    '/v1/search/suggest',
    {
      schema: {
        summary: 'Complete a search query',
        description:
          'Past queries that found items, most searched first (last days of the search log); while the ' +
          "log is empty, words of the catalog's titles completing the last word typed.",
        tags: ['search'],
        querystring: SuggestQuery,
        response: { 200: SuggestResponse },
      },
    },
    (request) => {
      // A trailing space ends the last word: "red " completes to "red shoes", not "reddish".
      const prefix = requireText(request.query.q) + (/\s$/u.test(request.query.q) ? ' ' : '');
      const log = deps.search.searchLog?.current() ?? NO_QUERIES;
      const { source, suggestions } = complete(
        prefix,
        request.query.k,
        log,
        deps.search.index.current().titleWords,
      );
      return Promise.resolve({ query: prefix, suggestions, source });
    },
  );
}
