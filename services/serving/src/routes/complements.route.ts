/**
 * POST /v1/recommendations/complements — what goes with a cart: items bought in the same orders,
 * from other categories first (items of the cart's own categories are substitutes and demoted).
 */
import type { FastifyInstance } from 'fastify';
import { RecommendationsResponse, complementsBody, type ComplementsBody } from '@recstream/schemas';
import type { Recommender } from '../pipeline/pipeline.js';
import { toResponse } from './answer.js';

export function registerComplementsRoute(
  app: FastifyInstance,
  deps: { recommender: Recommender; maxK: number },
): void {
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
    async (request) => toResponse(await deps.recommender.complements(request.body.item_ids, request.body.k)),
  );
}
