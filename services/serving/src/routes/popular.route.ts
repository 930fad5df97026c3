/**
 * GET /v1/recommendations/popular — the items with the most interest right now (time-decayed
 * popularity from the feature service), with their display fields. Also the cold-start answer.
 * Answered by the popular flow like the other lists: experiments, the deadline and the popular
 * fallback (`degraded`) apply to it too.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { RecommendationsResponse, viewerFields } from '@recstream/schemas';
import { POPULARITY } from '../pipeline/flows/popular.flow.js';
import { answerFor, type AnswerDeps } from './answer.js';

export const PopularQuery = Type.Object({
  k: Type.Integer({ minimum: 1, maximum: 1000, default: 20, description: 'How many items to return' }),
  ...viewerFields,
});

const RecommendedItem = Type.Object({
  item_id: Type.String(),
  score: Type.Number({ description: 'Interactions weighted by type and decayed to now' }),
  title: Type.Optional(Type.String()),
  category: Type.Optional(Type.String()),
  brand: Type.Optional(Type.String()),
  price: Type.Optional(Type.Number()),
  currency: Type.Optional(Type.String()),
  reason: Type.Object({ code: Type.String(), text: Type.String() }),
});

/** The other lists' answer fields (degraded, ranker, experiment, variant), with popular items. */
export const PopularResponse = Type.Object({
  ...RecommendationsResponse.properties,
  strategy: Type.Literal('popularity'),
  items: Type.Array(RecommendedItem),
  ranker: Type.Optional(Type.String({ description: '`popularity`: the list in the order it was read' })),
});

export function registerPopularRoute(app: FastifyInstance, deps: AnswerDeps): void {
  app.get<{ Querystring: Type.Static<typeof PopularQuery> }>(
    '/v1/recommendations/popular',
    {
      schema: {
        summary: 'Most popular items now',
        tags: ['recommendations'],
        querystring: PopularQuery,
        response: { 200: PopularResponse },
      },
    },
    async (request) => {
      const { k, user_id, anonymous_id, session_id } = request.query;
      const subject = { userId: user_id, anonymousId: anonymous_id, sessionId: session_id };
      const answer = await answerFor(deps, 'popular', 'popular', subject, (recommender) =>
        recommender.popular(Math.min(k, deps.maxK)),
      );
      return { ...answer, strategy: POPULARITY };
    },
  );
}
