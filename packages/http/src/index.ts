/**
 * The common shape of every HTTP service: a Fastify instance with our logger, an error handler
 * that maps the two error families to status codes (permanent → 4xx, transient → 503 with
 * Retry-After), an OpenAPI description at `/openapi.json`, and `/livez`, `/readyz`, `/metrics`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import swagger from '@fastify/swagger';
import { ERROR_CODES, RecError } from '@recstream/errors';
import { registerHealthRoutes, type HealthOptions, type ReadinessCheck } from '@recstream/health';

export type { ReadinessCheck } from '@recstream/health';
export * from './route-security.js';
import type { Logger } from '@recstream/logger';
import { LATENCY_BUCKETS_S, type ServiceMetrics } from '@recstream/metrics';

export interface HttpServiceOptions {
  readonly logger: Logger;
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly health: HealthOptions;
  /** Where the per-route request duration histogram is registered. */
  readonly metrics: ServiceMetrics;
  readonly bodyLimit?: number;
  /** Seconds a client should wait before retrying after a 503. */
  readonly retryAfterS?: number;
  /**
   * Which proxies' X-Forwarded-For to believe for `request.ip` (see `parseTrustProxy`). Default: none,
   * so a client cannot forge its address by sending the header itself.
   */
  readonly trustProxy?: boolean | string[];
}

/**
 * `REC_HTTP_TRUST_PROXY`: `false` (default), `true` (any proxy: only behind a load balancer that
 * strips the header), or a comma-separated list of proxy addresses or CIDRs.
 */
export function parseTrustProxy(value: string): boolean | string[] {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function statusOf(error: FastifyError | RecError): number {
  if (error instanceof RecError) {
    const explicit = error.details['statusCode'];
    if (typeof explicit === 'number') return explicit;
    return error.transient ? 503 : 400;
  }
  return typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
}

function codeOf(error: FastifyError | RecError, status: number): string {
  if (error instanceof RecError) return error.code;
  if (status === 413) return ERROR_CODES.payloadTooLarge;
  if (status >= 400 && status < 500) return ERROR_CODES.invalidInput;
  return ERROR_CODES.internal;
}

export async function createHttpService(options: HttpServiceOptions): Promise<FastifyInstance> {
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Path parameters carry ids of up to 128 characters (the event contract), percent-encoded up
    // to three bytes each; Fastify's default of 100 would answer 414 to valid ids.
    routerOptions: { maxParamLength: 512 },
    // Per-request logs would dominate at tens of thousands of events/s; metrics cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version, description: options.description },
    },
  });

  app.setErrorHandler<FastifyError | RecError>((error, request, reply) => {
    const status = statusOf(error);
    // The route pattern, not the URL: query strings carry shopper ids and search text.
    const route = request.routeOptions.url ?? 'unmatched';
    if (status >= 500) request.log.error({ err: error, method: request.method, route }, 'request failed');
    else request.log.debug({ err: error, method: request.method, route }, 'request refused');
    if (status === 503) void reply.header('retry-after', String(options.retryAfterS ?? 1));
    return reply.code(status).send({
      error: {
        code: codeOf(error, status),
        message: status >= 500 && status !== 503 ? 'internal error' : error.message,
      },
    });
  });

  const duration = options.metrics.histogram(
    'http_request_duration_seconds',
    'HTTP requests by route and status, from arrival to the last byte of the answer',
    LATENCY_BUCKETS_S,
    ['method', 'route', 'status'],
  );
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        // The route pattern, not the URL: ids in paths would explode the label set.
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  registerHealthRoutes(app, options.health);
  return app;
}

export interface OperationalServiceDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly checks: Record<string, ReadinessCheck>;
}

/** The HTTP surface of a service that works off Kafka or a queue: the operational routes only. */
export function createOperationalService(
  service: string,
  description: string,
  deps: OperationalServiceDeps,
): Promise<FastifyInstance> {
  return createHttpService({
    logger: deps.logger,
    title: `recstream ${service}`,
    version: '1.0.0',
    description: `${description} Operational endpoints only.`,
    health: { registry: deps.metrics.registry, checks: deps.checks },
    metrics: deps.metrics,
  });
}
