/**
 * The search API's wire formats (serving): `GET /v1/search` (text relevance over the catalog,
 * re-ranked for the shopper) and `GET /v1/search/suggest` (completions learned from the search log).
 * Like the recommendation schemas, the ones carrying `k` are built for the configured maximum.
 */
import Type from 'typebox';
import { ID_MAX_LENGTH, ID_PATTERN } from '../events/event.schema.js';

/** Longest search text accepted: longer is a 400 (nobody types 200 characters into a search box). */
export const SEARCH_QUERY_MAX_LENGTH = 200;
/** Most suggestions one request may ask for. */
export const SUGGEST_K_LIMIT = 20;

/** Printable text: control characters have no place in a query and would end up in logs. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]+$';

const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN, description });

/** GET /v1/search */
export const searchQuery = (maxK: number) =>
  Type.Object({
    q: Type.String({
      minLength: 1,
      maxLength: SEARCH_QUERY_MAX_LENGTH,
      pattern: PRINTABLE,
      description: 'What the shopper typed; the last word may be unfinished (prefix match)',
    }),
    k: Type.Integer({
      minimum: 1,
      maximum: maxK,
      default: Math.min(20, maxK),
      description: 'How many items',
    }),
    user_id: Type.Optional(Id('Logged-in shopper: results are re-ranked by their affinities')),
    anonymous_id: Type.Optional(Id('Device or cookie id of a shopper not logged in')),
    session_id: Type.Optional(Id('Current session')),
    category: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        pattern: PRINTABLE,
        description: 'Only items whose category path starts with this one, e.g. "Beauty > Makeup"',
      }),
    ),
    price_min: Type.Optional(Type.Number({ minimum: 0, description: 'Lowest price, inclusive' })),
    price_max: Type.Optional(Type.Number({ minimum: 0, description: 'Highest price, inclusive' })),
    in_stock: Type.Optional(
      Type.Boolean({ description: 'Only items in stock (by default preorders are allowed too)' }),
    ),
  });
export type SearchQuery = Type.Static<ReturnType<typeof searchQuery>>;

/** Why an item is in the results. */
export const SEARCH_REASON_CODES = [
  /** Its title, brand or category matches every word of the query. */
  'matches_query',
  /** No item matched the whole query: it is one of the closest (some words, or spelled differently). */
  'close_match',
  /** Nothing matched at all: a popular item of the requested category. */
  'popular_in_category',
  /** Nothing matched at all: a popular item. */
  'popular_now',
] as const;
export type SearchReasonCode = (typeof SEARCH_REASON_CODES)[number];

/** How a query without matches was answered. */
export const ZERO_RESULT_STRATEGIES = ['close_matches', 'popular'] as const;
export type ZeroResultStrategy = (typeof ZERO_RESULT_STRATEGIES)[number];

export const SearchItem = Type.Object({
  item_id: Type.String(),
  score: Type.Number({
    description:
      'Final score (text relevance blended with the shopper and popularity); within one answer only',
  }),
  relevance: Type.Number({ description: 'Text relevance alone, 1 for the best match of the answer' }),
  title: Type.String(),
  category: Type.String({ description: 'Category path joined with " > "' }),
  brand: Type.String(),
  price: Type.Number(),
  currency: Type.String(),
  reason: Type.Object({
    code: Type.Enum(SEARCH_REASON_CODES),
    text: Type.String({ description: 'Shown to the shopper, e.g. "Matches “red lipstick”"' }),
  }),
});
export type SearchItem = Type.Static<typeof SearchItem>;

export const SearchResponse = Type.Object({
  request_id: Type.String({ description: 'Send it back with clicks and purchases for attribution' }),
  query: Type.String({ description: 'The query as searched: lower case, whitespace collapsed' }),
  items: Type.Array(SearchItem),
  total_matches: Type.Integer({
    minimum: 0,
    description: 'Items matching the query and the filters (before `k`); 0 when `zero_results`',
  }),
  zero_results: Type.Boolean({
    description: 'Nothing matched the whole query: `items` are close matches or popular items instead',
  }),
  zero_results_strategy: Type.Optional(Type.Enum(ZERO_RESULT_STRATEGIES)),
  personalised: Type.Boolean({
    description: "The order used the shopper's category and brand affinities",
  }),
  degraded: Type.Boolean({
    description: 'The feature store could not be read: ranked by text relevance alone',
  }),
});
export type SearchResponse = Type.Static<typeof SearchResponse>;

/** GET /v1/search/suggest */
export const SuggestQuery = Type.Object({
  q: Type.String({
    minLength: 1,
    maxLength: SEARCH_QUERY_MAX_LENGTH,
    pattern: PRINTABLE,
    description: 'What the shopper has typed so far',
  }),
  k: Type.Integer({ minimum: 1, maximum: SUGGEST_K_LIMIT, default: 5, description: 'How many suggestions' }),
});
export type SuggestQuery = Type.Static<typeof SuggestQuery>;

export const SUGGESTION_SOURCES = ['search_log', 'catalog'] as const;
export type SuggestionSource = (typeof SUGGESTION_SOURCES)[number];

export const SuggestResponse = Type.Object({
  query: Type.String({ description: 'The prefix as matched: lower case, whitespace collapsed' }),
  suggestions: Type.Array(
    Type.Object({
      text: Type.String(),
      weight: Type.Number({
        description:
          'Searches with results over the window (search log), or items whose title has the word (catalog)',
      }),
    }),
  ),
  source: Type.Enum(SUGGESTION_SOURCES, {
    description:
      "`search_log`: shoppers' past searches that found items; `catalog`: words of item titles (no log yet)",
  }),
});
export type SuggestResponse = Type.Static<typeof SuggestResponse>;
