/**
 * The recommendation API's wire formats (serving): request queries and bodies, and the answer.
 * Routes validate with these objects and Fastify documents them in OpenAPI, so the contract is
 * written once. Schemas that carry `k` are built for the service's configured maximum
 * (`REC_SERVING_MAX_K`), so a request over it is refused by validation with the bound in the
 * message, and OpenAPI shows the real bound.
 */
import Type from 'typebox';
import { ID_MAX_LENGTH, ID_PATTERN } from '../events/event.schema.js';

/** The largest `REC_SERVING_MAX_K` a deployment may configure. */
export const RECOMMENDATIONS_K_LIMIT = 1000;
/** Users per batch request (campaigns): bounded so one request cannot monopolise the store. */
export const BATCH_MAX_REQUESTS = 100;
/** Ids in `exclude`, `pin`, `boost`, `bury` and in a cart. */
export const ID_LIST_MAX = 100;

const ID_CHARS = ID_PATTERN.slice(1, -1); // the character class with its quantifier, no anchors

const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN, description });

/** A comma-separated list of ids in a query string (`exclude=a,b`); the count is checked by the route. */
const IdList = (description: string) =>
  Type.String({
    pattern: `^${ID_CHARS}(,${ID_CHARS})*$`,
    maxLength: ID_LIST_MAX * (ID_MAX_LENGTH + 1),
    description: `${description}; comma-separated item ids, at most ${ID_LIST_MAX}`,
  });

/**
 * A category path as the catalog writes it ('Beauty > Makeup'). Free text, but printable and
 * bounded: it becomes part of a Redis key name and of reason texts.
 */
const CategoryPath = (description: string) =>
  Type.String({ minLength: 1, maxLength: 512, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description });

const K = (maxK: number) =>
  Type.Integer({ minimum: 1, maximum: maxK, default: Math.min(10, maxK), description: 'How many items' });

/** GET /v1/recommendations */
export const recommendationsQuery = (maxK: number) =>
  Type.Object({
    user_id: Type.Optional(Id('Logged-in shopper')),
    anonymous_id: Type.Optional(Id('Device or cookie id of a shopper not logged in')),
    session_id: Type.Optional(Id('Current session')),
    k: K(maxK),
    item_id: Type.Optional(Id('Item on the page being shown (context)')),
    category: Type.Optional(
      CategoryPath('Category of the page being shown (context): its top sellers become candidates'),
    ),
    category_prefix: Type.Optional(
      CategoryPath('Only items whose category path starts with this one, e.g. "Beauty > Makeup"'),
    ),
    exclude: Type.Optional(IdList('Items never to return')),
    price_min: Type.Optional(Type.Number({ minimum: 0, description: 'Lowest price, inclusive' })),
    price_max: Type.Optional(Type.Number({ minimum: 0, description: 'Highest price, inclusive' })),
    in_stock: Type.Optional(
      Type.Boolean({ description: 'Only items in stock (by default preorders are allowed too)' }),
    ),
    pin: Type.Optional(IdList('Items placed first, in this order (when available)')),
    boost: Type.Optional(IdList('Items whose score is raised')),
    bury: Type.Optional(IdList('Items moved after all others')),
    brand_cap: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'Items per brand, at most' }),
    ),
  });
export type RecommendationsQuery = Type.Static<ReturnType<typeof recommendationsQuery>>;

/**
 * Who is looking, on the endpoints that do not personalise (similar items, complements): optional,
 * but without them the request takes part in no experiment and its impression cannot be logged
 * (an impression needs `user_id` or `anonymous_id`, as every event does).
 */
export const viewerFields = {
  user_id: Type.Optional(Id('Logged-in shopper looking (experiment assignment, impression logging)')),
  anonymous_id: Type.Optional(Id('Device or cookie id of the shopper looking, when not logged in')),
  session_id: Type.Optional(Id('Current session')),
};

/** GET /v1/items/{item_id}/similar */
export const SimilarParams = Type.Object({ item_id: Id('The item to find similar items for') });
export type SimilarParams = Type.Static<typeof SimilarParams>;
export const similarQuery = (maxK: number) => Type.Object({ k: K(maxK), ...viewerFields });
export type SimilarQuery = Type.Static<ReturnType<typeof similarQuery>>;

/** POST /v1/recommendations/complements */
export const complementsBody = (maxK: number) =>
  Type.Object(
    {
      item_ids: Type.Array(Id('Cart item'), {
        minItems: 1,
        maxItems: ID_LIST_MAX,
        description: 'The cart (or the item being bought)',
      }),
      k: K(maxK),
      ...viewerFields,
    },
    { additionalProperties: false },
  );
export type ComplementsBody = Type.Static<ReturnType<typeof complementsBody>>;

/** POST /v1/recommendations/batch */
export const batchBody = (maxK: number) =>
  Type.Object(
    {
      requests: Type.Array(
        Type.Object(
          {
            user_id: Id('Shopper to recommend for'),
            k: K(maxK),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: BATCH_MAX_REQUESTS },
      ),
    },
    { additionalProperties: false },
  );
export type BatchBody = Type.Static<ReturnType<typeof batchBody>>;

/** Why an item is recommended: a stable code for machines, a sentence for shoppers. */
export const REASON_CODES = [
  'because_you_viewed',
  'viewed_together',
  'popular_in_category',
  'bought_together',
  'trending_now',
  'popular_now',
  'pinned',
  'picked_for_you',
  'new_arrival',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Where a candidate came from. */
export const CANDIDATE_SOURCES = [
  'covisit_recent',
  'covisit_context',
  'category_affinity',
  'category_context',
  'bought_together',
  'trending',
  'popular',
  'pinned',
  'sequence_ann',
  'new_arrival',
] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];

/** Why an answer is not the full pipeline's (the feature store's reasons win when both apply). */
export const DEGRADED_REASONS = [
  'feature_store_unavailable',
  'feature_store_timeout',
  'model_unavailable',
] as const;
export type DegradedReason = (typeof DEGRADED_REASONS)[number];

export const RecommendationReason = Type.Object({
  code: Type.Enum(REASON_CODES),
  text: Type.String({ description: 'Shown to the shopper, e.g. "Because you viewed Red lipstick"' }),
});
export type RecommendationReason = Type.Static<typeof RecommendationReason>;

export const RecommendedItem = Type.Object({
  item_id: Type.String(),
  score: Type.Number({
    description:
      'Relevance from ranking, comparable within one answer only; the order of `items` is the answer ' +
      '(pins, diversity and buried items may place an item above one with a higher score)',
  }),
  title: Type.String(),
  category: Type.String({ description: 'Category path joined with " > "' }),
  brand: Type.String(),
  price: Type.Number(),
  currency: Type.String(),
  reason: RecommendationReason,
  source: Type.Enum(CANDIDATE_SOURCES),
});
export type RecommendedItem = Type.Static<typeof RecommendedItem>;

const answerFields = {
  request_id: Type.String({ description: 'Send it back with clicks and purchases for attribution' }),
  items: Type.Array(RecommendedItem),
  degraded: Type.Boolean({
    description:
      'True when a fallback answered: popular items (the feature store was slow or down), or the ' +
      'blended order because the ranking model was unavailable (`degraded_reason`)',
  }),
  degraded_reason: Type.Optional(Type.Enum(DEGRADED_REASONS)),
  ranker: Type.Optional(
    Type.String({
      description:
        "What ordered the items: `blended` (the sources' scores) or the model version that ranked, `<model>@<version>`",
    }),
  ),
  experiment: Type.Optional(
    Type.String({ description: 'The experiment this answer took part in; absent when none applied' }),
  ),
  variant: Type.Optional(
    Type.String({ description: "The experiment's variant that produced this answer (stable per shopper)" }),
  ),
};

export const RecommendationsResponse = Type.Object(answerFields);
export type RecommendationsResponse = Type.Static<typeof RecommendationsResponse>;

export const BatchResponse = Type.Object({
  results: Type.Array(Type.Object({ user_id: Type.String(), ...answerFields })),
});
export type BatchResponse = Type.Static<typeof BatchResponse>;
