/**
 * The collector's HTTP app. Built from explicit dependencies and never listens: `index.ts` does
 * that, and tests use `app.inject()`.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { createHttpService } from '@recstream/http';
import type { ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import type { ContractValidators } from '@recstream/schemas';
import type { Publisher } from './handlers/event-publisher.js';
import { createIngestMetrics } from './ingest.metrics.js';
import { parseNdjson } from './routes/batch-body.js';
import { registerEventsRoute } from './routes/events.route.js';
import { registerGzipBodies } from './routes/gzip-body.js';
import { registerItemsRoute } from './routes/items.route.js';

export interface IngestAppDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly validators: ContractValidators;
  /** Absent in a sink-only process: it serves the operational routes only. */
  readonly publisher?: Publisher;
  readonly checks: Record<string, ReadinessCheck>;
  readonly maxBodyBytes: number;
  readonly maxBatchEvents: number;
  readonly maxFutureSkewMs: number;
  /** Browser origins allowed cross-origin; `['*']` for any; empty for none. */
  readonly corsOrigins?: readonly string[];
  readonly now?: () => Date;
}

export async function buildApp(deps: IngestAppDeps): Promise<FastifyInstance> {
  const app = await createHttpService({
    logger: deps.logger,
    title: 'recstream ingest',
    version: '1.0.0',
    description: 'Collector for clickstream events and catalog items. Accepted records are durable in Kafka.',
    health: { registry: deps.metrics.registry, checks: deps.checks },
    bodyLimit: deps.maxBodyBytes,
  });
  if (deps.corsOrigins !== undefined && deps.corsOrigins.length > 0) {
    const origins = deps.corsOrigins;
    await app.register(cors, {
      origin: origins.includes('*') ? true : [...origins],
      methods: ['POST'],
      // Browsers send sendBeacon/fetch bodies as JSON, NDJSON or gzip.
      allowedHeaders: ['content-type', 'content-encoding', 'x-write-key'],
      maxAge: 86_400,
    });
  }
  registerGzipBodies(app);
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseNdjson(body as string));
  });
  if (deps.publisher !== undefined) {
    const metrics = createIngestMetrics(deps.metrics);
    registerEventsRoute(app, {
      validators: deps.validators,
      publisher: deps.publisher,
      metrics,
      maxBatchEvents: deps.maxBatchEvents,
      maxFutureSkewMs: deps.maxFutureSkewMs,
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
    registerItemsRoute(app, {
      validators: deps.validators,
      publisher: deps.publisher,
      maxBatchItems: deps.maxBatchEvents,
    });
  }
  return app;
}
