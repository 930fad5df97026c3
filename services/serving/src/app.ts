/**
 * The serving HTTP app, built from ready parts (compose.ts wires them); never listens (tests use
 * inject). Tests build their parts with composeServing, re-exported here.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { createHttpService } from '@recstream/http';
import type { ServingParts } from './compose.js';
import { registerAdminRoutes } from './routes/admin.route.js';
import { registerBatchRoute } from './routes/batch.route.js';
import { registerComplementsRoute } from './routes/complements.route.js';
import { registerPopularRoute } from './routes/popular.route.js';
import { registerRecommendationsRoute } from './routes/recommendations.route.js';
import { registerSearchRoutes } from './routes/search.route.js';
import { registerSimilarRoute } from './routes/similar.route.js';

export { composeServing, DEFAULT_MAX_BODY_BYTES, type ServingDeps, type ServingParts } from './compose.js';

export async function buildApp(parts: ServingParts): Promise<FastifyInstance> {
  const app = await createHttpService({
    logger: parts.logger,
    title: 'recstream serving',
    version: '1.0.0',
    description: 'Ranked product recommendations and personalised search.',
    health: { registry: parts.metrics.registry, checks: parts.checks },
    metrics: parts.metrics,
    bodyLimit: parts.maxBodyBytes,
  });
  if (parts.corsOrigins.length > 0) {
    const origins = parts.corsOrigins;
    await app.register(cors, {
      origin: origins.includes('*') ? true : [...origins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key'],
      exposedHeaders: ['retry-after'],
      maxAge: 86_400,
    });
  }

  const { guard, answers, search } = parts;
  // Each scope gets its guard's hooks and nothing else: health, metrics and OpenAPI stay open.
  await app.register((read, _options, done) => {
    // A campaign batch costs one request per shopper in it.
    guard.protect(read, 'read', (request) => {
      const body = request.body as { requests?: unknown } | undefined;
      return Array.isArray(body?.requests) ? body.requests.length : 1;
    });
    registerPopularRoute(read, answers);
    registerRecommendationsRoute(read, answers);
    registerSimilarRoute(read, answers);
    registerComplementsRoute(read, answers);
    registerBatchRoute(read, answers);
    if (search !== undefined)
      registerSearchRoutes(read, {
        search: search.services,
        searcher: search.searcher,
        maxK: answers.maxK,
        impressions: answers.impressions,
        clock: answers.clock,
      });
    done();
  });
  await app.register((admin, _options, done) => {
    guard.protect(admin, 'admin');
    registerAdminRoutes(admin, { experiments: parts.experiments });
    done();
  });
  return app;
}
