/**
 * GET /v1/recommendations/popular — the items with the most interest right now (time-decayed
 * popularity from the feature service), with their display fields. Also the cold-start answer.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Redis } from 'ioredis';
import { readItemMeta, readTopPopular } from '@recstream/features';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';
import { viewerFields } from '@recstream/schemas';
import type { ImpressionLog } from '../impressions/impression-log.js';

/** How many extra candidates to read, at most, to make up for unavailable items. */
const UNAVAILABLE_SLACK = 50;

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

export const PopularResponse = Type.Object({
  request_id: Type.String({ description: 'Send it back with clicks and purchases for attribution' }),
  strategy: Type.Literal('popularity'),
  items: Type.Array(RecommendedItem),
});

export function registerPopularRoute(
  app: FastifyInstance,
  deps: {
    redis: Redis;
    redisPrefix: string;
    maxK: number;
    impressions?: ImpressionLog | undefined;
    clock?: (() => number) | undefined;
  },
): void {
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
      const k = Math.min(request.query.k, deps.maxK);
      let top;
      let meta;
      try {
        // Read past k so that items filtered out below (not available) do not shorten the answer.
        top = await readTopPopular(deps.redis, deps.redisPrefix, k + Math.min(k, UNAVAILABLE_SLACK));
        meta = await readItemMeta(
          deps.redis,
          deps.redisPrefix,
          top.map((t) => t.itemId),
        );
      } catch (error) {
        throw new TransientError(
          ERROR_CODES.unavailable,
          `feature store unavailable: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      const items = top
        .map((entry, index) => {
          const item = meta[index];
          // Items out of stock or discontinued are not recommended.
          if (item !== undefined && item.availability !== 'in_stock' && item.availability !== 'preorder')
            return undefined;
          return {
            item_id: entry.itemId,
            score: entry.score,
            ...(item === undefined
              ? {}
              : {
                  title: item.title,
                  category: item.category,
                  brand: item.brand,
                  price: item.price,
                  currency: item.currency,
                }),
            reason: { code: 'popular_now', text: 'Popular right now' },
          };
        })
        .filter((item) => item !== undefined)
        .slice(0, k);
      const requestId = randomUUID();
      const { user_id, anonymous_id, session_id } = request.query;
      deps.impressions?.record({
        requestId,
        list: 'popular',
        userId: user_id,
        anonymousId: anonymous_id,
        sessionId: session_id,
        itemIds: items.map((item) => item.item_id),
        ranker: 'popularity',
        degraded: false,
        at: new Date((deps.clock ?? Date.now)()),
      });
      return { request_id: requestId, strategy: 'popularity' as const, items };
    },
  );
}
