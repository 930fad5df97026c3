/**
 * POST /v1/recommendations/batch — recommendations for up to BATCH_MAX_REQUESTS users at once
 * (campaigns). Each user's answer is computed as a single request would be, a few at a time so a
 * batch does not crowd out page views; each carries its own request id for attribution, its
 * experiment variant (the shopper's, as on a page) and is logged as an impression of list `batch`.
 */
import type { FastifyInstance } from 'fastify';
import { BATCH_MAX_REQUESTS, BatchResponse, batchBody, type BatchBody } from '@recstream/schemas';
import { answerFor, type AnswerDeps } from './answer.js';

/** Users computed concurrently within one batch. */
export const BATCH_CONCURRENCY = 8;

export function registerBatchRoute(app: FastifyInstance, deps: AnswerDeps): void {
  app.post<{ Body: BatchBody }>(
    '/v1/recommendations/batch',
    {
      schema: {
        summary: `Recommendations for up to ${BATCH_MAX_REQUESTS} users`,
        tags: ['recommendations'],
        body: batchBody(deps.maxK),
        response: { 200: BatchResponse },
      },
    },
    async (request) => {
      const { requests } = request.body;
      const results = new Array<BatchResponse['results'][number]>(requests.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const { user_id, k } = requests[i] as BatchBody['requests'][number];
          const subject = { userId: user_id };
          const answer = await answerFor(deps, 'recommendations', 'batch', subject, (recommender) =>
            recommender.recommend({ subject, k }),
          );
          results[i] = { user_id, ...answer };
        }
      };
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, requests.length) }, worker));
      return { results };
    },
  );
}
