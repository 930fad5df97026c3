/**
 * GET /v1/items/{item_id}/similar — items viewed together with an item; for an item too new to
 * have any, the top of its category, and for an item the catalog does not know, popular items.
 */
import type { FastifyInstance } from 'fastify';
import { RecommendationsResponse, SimilarParams, similarQuery, type SimilarQuery } from '@recstream/schemas';
import { answerFor, type AnswerDeps } from './answer.js';

export function registerSimilarRoute(app: FastifyInstance, deps: AnswerDeps): void {
  app.get<{ Params: SimilarParams; Querystring: SimilarQuery }>(
    '/v1/items/:item_id/similar',
    {
      schema: {
        summary: 'Items similar to an item',
        tags: ['recommendations'],
        params: SimilarParams,
        querystring: similarQuery(deps.maxK),
        response: { 200: RecommendationsResponse },
      },
    },
    async (request) => {
      const { k, user_id, anonymous_id, session_id } = request.query;
      const subject = { userId: user_id, anonymousId: anonymous_id, sessionId: session_id };
      return answerFor(deps, 'similar', 'similar', subject, (recommender) =>
        recommender.similar(request.params.item_id, k),
      );
    },
  );
}
