/**
 * The collector's HTTP app. Built from explicit dependencies and never listens: `index.ts` does
 * that, and tests use `app.inject()`.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHttpService } from '@recstream/http';
import type { ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import type { ContractValidators } from '@recstream/schemas';
import { UNAUTHENTICATED_SOURCE, createIntakeGuard, type IntakeAuth } from './auth/intake-guard.js';
import type { Publisher } from './handlers/event-publisher.js';
import { DEFAULT_MAX_PAST_AGE_MS } from './handlers/enrich.js';
import { createIngestMetrics } from './ingest.metrics.js';
import { bodyRecords } from './routes/batch-body.js';
import { registerEventsRoute } from './routes/events.route.js';
import { registerGzipBodies } from './routes/gzip-body.js';
import { registerJsonBodies } from './routes/json-bodies.js';
import { itemDeletionCount, registerItemsRoute } from './routes/items.route.js';

export interface IngestAppDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly validators: ContractValidators;
  /** Absent in a sink-only process: it serves the operational routes only. */
  readonly publisher?: Publisher;
  /** How intake is authenticated; needed with `publisher`. */
  readonly auth?: IntakeAuth;
  readonly checks: Record<string, ReadinessCheck>;
  readonly maxBodyBytes: number;
  readonly maxBatchEvents: number;
  readonly maxFutureSkewMs: number;
  /** Client times older than this are replaced by the receive time (flagged `too_old`). */
  readonly maxPastAgeMs?: number;
  /** Browser origins allowed cross-origin; `['*']` for any; empty for none. */
  readonly corsOrigins?: readonly string[];
  readonly now?: () => Date;
  /** Proxies whose X-Forwarded-For gives the client address that enrichment anonymises. */
  readonly trustProxy?: boolean | string[];
}

export async function buildApp(deps: IngestAppDeps): Promise<FastifyInstance> {
  const app = await createHttpService({
    logger: deps.logger,
    title: 'recstream ingest',
    version: '1.0.0',
    description: 'Collector for clickstream events and catalog items. Accepted records are durable in Kafka.',
    health: { registry: deps.metrics.registry, checks: deps.checks },
    metrics: deps.metrics,
    bodyLimit: deps.maxBodyBytes,
    ...(deps.trustProxy === undefined ? {} : { trustProxy: deps.trustProxy }),
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
  registerJsonBodies(app, { maxRecords: deps.maxBatchEvents });
  if (deps.publisher !== undefined) {
    const { publisher, auth } = deps;
    if (auth === undefined)
      throw new Error('buildApp: intake needs `auth` (required write keys, or explicitly disabled)');
    const metrics = createIngestMetrics(deps.metrics);
    const guard =
      auth.mode === 'required'
        ? createIntakeGuard({
            keys: auth.keys,
            limiter: auth.limiter,
            metrics: deps.metrics,
            countRecords: (body) => itemDeletionCount(body) ?? bodyRecords(body).length,
            maxRecords: deps.maxBatchEvents,
            ...(auth.clients === undefined ? {} : { clients: auth.clients }),
          })
        : undefined;
    const sourceOf = guard?.sourceOf ?? ((_request: FastifyRequest) => UNAUTHENTICATED_SOURCE);
    // Each scope of write keys gets its own Fastify scope, so that the write-key hooks guard its
    // routes and nothing else, and a route can only be reached with the scope it was registered in.
    await app.register((events) => {
      guard?.protect(events, 'events');
      registerEventsRoute(events, {
        validators: deps.validators,
        publisher,
        metrics,
        maxBatchEvents: deps.maxBatchEvents,
        maxFutureSkewMs: deps.maxFutureSkewMs,
        maxPastAgeMs: deps.maxPastAgeMs ?? DEFAULT_MAX_PAST_AGE_MS,
        sourceOf,
        ...(deps.now === undefined ? {} : { now: deps.now }),
      });
      return Promise.resolve();
    });
    await app.register((catalog) => {
      guard?.protect(catalog, 'catalog');
      registerItemsRoute(catalog, {
        validators: deps.validators,
        publisher,
        metrics,
        maxBatchItems: deps.maxBatchEvents,
      });
      return Promise.resolve();
    });
  }
  return app;
}
