/**
 * GET /v1/items/{item_id}/similar — items viewed together with an item; for an item too new to
 * have any, the top of its category, and for an item the catalog does not know, popular items.
 */
import type { FastifyInstance } from 'fastify';
import { RecommendationsResponse, SimilarParams, similarQuery, type SimilarQuery } from '@recstream/schemas';
import type { Recommender } from '../pipeline/pipeline.js';
import { toResponse } from './answer.js';

export function registerSimilarRoute(
  app: FastifyInstance,
  deps: { recommender: Recommender; maxK: number },
): void {
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
    async (request) => toResponse(await deps.recommender.similar(request.params.item_id, request.query.k)),
  );
}
