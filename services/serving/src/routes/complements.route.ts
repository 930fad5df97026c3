/**
 * POST /v1/recommendations/complements — what goes with a cart: items bought in the same orders,
 * from other categories first (items of the cart's own categories are substitutes and demoted).
 */
import type { FastifyInstance } from 'fastify';
import { RecommendationsResponse, complementsBody, type ComplementsBody } from '@recstream/schemas';
import { answerFor, type AnswerDeps } from './answer.js';

export function registerComplementsRoute(app: FastifyInstance, deps: AnswerDeps): void {
  app.post<{ Body: ComplementsBody }>(
    '/v1/recommendations/complements',
    {
      schema: {
        summary: 'Complements of a cart',
        tags: ['recommendations'],
        body: complementsBody(deps.maxK),
        response: { 200: RecommendationsResponse },
      },
    },
    async (request) => {
      const { item_ids, k, user_id, anonymous_id, session_id } = request.body;
      const subject = { userId: user_id, anonymousId: anonymous_id, sessionId: session_id };
      return answerFor(deps, 'complements', 'complements', subject, (recommender) =>
        recommender.complements(item_ids, k),
      );
    },
  );
}
