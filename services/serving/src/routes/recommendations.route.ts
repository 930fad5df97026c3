/**
 * GET /v1/recommendations — personalised recommendations for a shopper (logged in, anonymous or
 * just a session), optionally on an item's or a category's page, with filters and page rules. A
 * shopper the store does not know gets trending and popular items.
 */
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { RecommendationsResponse, recommendationsQuery, type RecommendationsQuery } from '@recstream/schemas';
import { answerFor, idList, type AnswerDeps } from './answer.js';

/** `boost=` ids from a page double their score: a clear lift that still lets relevance speak. */
export const REQUEST_BOOST_FACTOR = 2;

export function registerRecommendationsRoute(app: FastifyInstance, deps: AnswerDeps): void {
  app.get<{ Querystring: RecommendationsQuery }>(
    '/v1/recommendations',
    {
      schema: {
        summary: 'Personalised recommendations',
        description:
          'Ranked items for a shopper from their recent items, categories and cart, the page they are on, ' +
          'and what is trending; each with a reason. New shoppers get trending and popular items. ' +
          '`degraded` is true when the feature store was unavailable and popular items answered.',
        tags: ['recommendations'],
        querystring: recommendationsQuery(deps.maxK),
        response: { 200: RecommendationsResponse },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.price_min !== undefined && q.price_max !== undefined && q.price_min > q.price_max) {
        throw new PermanentError(
          ERROR_CODES.invalidInput,
          `querystring/price_min (${q.price_min}) must not exceed price_max (${q.price_max})`,
        );
      }
      const pin = idList('pin', q.pin);
      const boost = idList('boost', q.boost);
      const bury = idList('bury', q.bury);
      const subject = { userId: q.user_id, anonymousId: q.anonymous_id, sessionId: q.session_id };
      return answerFor(deps, 'recommendations', 'recommendations', subject, (recommender) =>
        recommender.recommend({
          subject,
          k: q.k,
          contextItemId: q.item_id,
          contextCategory: q.category,
          excludeIds: idList('exclude', q.exclude),
          categoryPrefix: q.category_prefix,
          priceMin: q.price_min,
          priceMax: q.price_max,
          inStockOnly: q.in_stock,
          rules: {
            pin,
            boost:
              boost === undefined ? undefined : [{ match: { itemIds: boost }, factor: REQUEST_BOOST_FACTOR }],
            bury: bury === undefined ? undefined : [{ itemIds: bury }],
            brandCap: q.brand_cap,
          },
        }),
      );
    },
  );
}
