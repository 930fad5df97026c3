/**
 * Guards the intake routes: each request must carry a valid, unrevoked write key in `x-write-key`
 * (checked before the body is read, so unauthenticated callers cost no parsing or inflating), and
 * its records are taken from the key's rate limit once the body is parsed.
 *
 * Refusals go through the service's error handler: 401 for a missing, unknown or revoked key
 * (each its own code), 429 + Retry-After over the limit, 413 for a batch larger than the key's
 * burst (no wait would let it through). When Redis cannot be asked, the request is refused with
 * 503 + Retry-After: without Redis a key can be neither verified nor charged, and accepting
 * events we cannot attribute or account for would make the limit meaningless during an outage.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { ERROR_CODES, PermanentError, TransientError, errorMessage, type ErrorCode } from '@recstream/errors';
import type { ServiceMetrics } from '@recstream/metrics';
import { ErrorResponse } from '../routes/ingest-responses.js';
import type { RateLimiter } from './rate-limiter.js';
import { hashWriteKey, isWellFormedWriteKey, keyId, type WriteKeyRecord } from './write-key.js';
import type { WriteKeyLookup } from './write-key.cache.js';

export const WRITE_KEY_HEADER = 'x-write-key';
/** Name of the security scheme in the OpenAPI description. */
const SECURITY_SCHEME = 'writeKey';
const CREATE_HINT = 'create one with `pnpm write-keys create --source <name> --rate <events/s>`';

export type RefusalReason =
  'missing_key' | 'unknown_key' | 'revoked_key' | 'over_burst' | 'rate_limited' | 'unavailable';

export interface IntakeGuardOptions {
  /** Finds a key's record by its hash; normally the cached store lookup. */
  readonly keys: WriteKeyLookup;
  readonly limiter: RateLimiter;
  readonly metrics: ServiceMetrics;
  /** How many records a parsed body holds: what a request costs in the rate limit. */
  readonly countRecords: (body: unknown) => number;
  /** Larger batches are refused by the route with 413; they are not charged. */
  readonly maxRecords: number;
}

export interface IntakeGuard {
  /** Requires a write key on every route registered in `scope` from now on; call it first. */
  readonly protect: (scope: FastifyInstance) => void;
  /** The source of the key that authenticated the request. */
  readonly sourceOf: (request: FastifyRequest) => string;
}

/** How the collector authenticates intake: `disabled` is for local development only. */
export type IntakeAuth =
  | { readonly mode: 'disabled' }
  | { readonly mode: 'required'; readonly keys: WriteKeyLookup; readonly limiter: RateLimiter };

/** The `source` of events taken in while authentication is disabled. */
export const UNAUTHENTICATED_SOURCE = 'default';

function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/**
 * Marks a guarded route as requiring the write key in OpenAPI. packages/http registers swagger
 * without `components`, so the scheme itself is added while the document is generated, through
 * @fastify/swagger's per-route `swaggerTransform` (it runs before the route's security is resolved).
 */
function documentSecurity(route: RouteOptions): void {
  const schema: FastifySchema & { security?: unknown; response?: unknown } = route.schema ?? {};
  route.schema = {
    ...schema,
    security: [{ [SECURITY_SCHEME]: [] }],
    response: {
      ...(schema.response as Record<string, unknown> | undefined),
      401: ErrorResponse,
      429: ErrorResponse,
    },
  };
  route.config = {
    ...route.config,
    swaggerTransform: ({ schema: routeSchema, url, ...document }) => {
      if ('openapiObject' in document) {
        const components = (document.openapiObject.components ??= {});
        components.securitySchemes = {
          ...components.securitySchemes,
          [SECURITY_SCHEME]: {
            type: 'apiKey',
            in: 'header',
            name: WRITE_KEY_HEADER,
            description: `A write key issued to one source (${CREATE_HINT}). Missing, unknown or revoked: 401. Each key has a rate limit in events per second: 429 with Retry-After when exceeded.`,
          },
        };
      }
      return { schema: routeSchema, url };
    },
  };
}

export function createIntakeGuard(options: IntakeGuardOptions): IntakeGuard {
  const refused = options.metrics.counter(
    'requests_refused_total',
    'Intake requests refused for their write key or its rate limit, by reason',
    ['reason'],
  );
  const authenticated = new WeakMap<FastifyRequest, WriteKeyRecord>();

  function refuse(
    reason: RefusalReason,
    code: ErrorCode,
    statusCode: number,
    message: string,
  ): PermanentError {
    refused.inc({ reason });
    return new PermanentError(code, message, { details: { statusCode } });
  }

  function unavailable(error: unknown): TransientError {
    refused.inc({ reason: 'unavailable' });
    return error instanceof TransientError
      ? error
      : new TransientError(ERROR_CODES.unavailable, errorMessage(error), { cause: error });
  }

  async function authenticate(request: FastifyRequest): Promise<void> {
    const presented = request.headers[WRITE_KEY_HEADER];
    const key = (Array.isArray(presented) ? presented.join(',') : (presented ?? '')).trim();
    if (key === '')
      throw refuse(
        'missing_key',
        ERROR_CODES.writeKeyMissing,
        401,
        `missing ${WRITE_KEY_HEADER} header: every intake request needs a write key; ${CREATE_HINT}`,
      );
    if (!isWellFormedWriteKey(key))
      throw refuse(
        'unknown_key',
        ERROR_CODES.writeKeyUnknown,
        401,
        `${WRITE_KEY_HEADER} is not a write key: expected rk_ followed by 43 base64url characters`,
      );
    const hash = hashWriteKey(key);
    let record: WriteKeyRecord | undefined;
    try {
      record = await options.keys(hash);
    } catch (error) {
      throw unavailable(error);
    }
    if (record === undefined)
      throw refuse('unknown_key', ERROR_CODES.writeKeyUnknown, 401, `write key ${keyId(hash)} is not known`);
    if (record.revokedAt !== undefined)
      throw refuse(
        'revoked_key',
        ERROR_CODES.writeKeyRevoked,
        401,
        `write key ${keyId(hash)} was revoked at ${record.revokedAt.toISOString()}`,
      );
    authenticated.set(request, record);
  }

  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const record = authenticated.get(request);
    // onRequest ran for every guarded route; without a record the guard is mis-wired.
    if (record === undefined) throw new Error('intake request reached the rate limit unauthenticated');
    const count = options.countRecords(request.body);
    if (count > options.maxRecords) return;
    const { ratePerSecond, burst } = record.limit;
    if (count > burst)
      throw refuse(
        'over_burst',
        ERROR_CODES.payloadTooLarge,
        413,
        `batch of ${count} records exceeds the burst of ${burst} of write key ${keyId(record.hash)}: send at most ${burst} per request`,
      );
    let verdict;
    try {
      verdict = await options.limiter.take(record.hash, record.limit, count);
    } catch (error) {
      throw unavailable(error);
    }
    if (verdict.allowed) return;
    const seconds = retryAfterSeconds(verdict.retryAfterMs);
    reply.header('retry-after', String(seconds));
    throw refuse(
      'rate_limited',
      ERROR_CODES.rateLimited,
      429,
      `write key ${keyId(record.hash)} is over its limit of ${ratePerSecond} events/s (burst ${burst}): retry after ${seconds} s`,
    );
  }

  return {
    protect(scope) {
      scope.addHook('onRoute', documentSecurity);
      scope.addHook('onRequest', authenticate);
      scope.addHook('preHandler', admit);
    },
    sourceOf(request) {
      const record = authenticated.get(request);
      if (record === undefined) throw new Error('sourceOf: the request was not authenticated by this guard');
      return record.source;
    },
  };
}
