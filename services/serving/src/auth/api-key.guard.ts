/**
 * Guards serving's API routes: each request must carry an active API key, as
 * `Authorization: Bearer <key>` or `x-api-key: <key>`, whose scope allows the route, within the
 * key's rate limit. Checked in `onRequest`, before any body is read, except the rate charge of a
 * route whose cost depends on its body (a batch costs one per shopper), which waits for the parse.
 *
 * Refusals carry the service's error body `{error: {code, message}}`: 401 for a missing, malformed,
 * unknown or revoked key (each its own code, with `WWW-Authenticate`), 403 for a key whose scope
 * does not reach the route, 429 + Retry-After over the limit. When Redis cannot be asked the
 * answer is 503 + Retry-After: a key can be neither verified nor charged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { documentRouteSecurity } from '@recstream/http';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';
import type { ServiceMetrics } from '@recstream/metrics';
import { ApiErrorResponse } from '@recstream/schemas';
import {
  hashApiKey,
  isWellFormedApiKey,
  keyId,
  looksLikeWriteKey,
  scopeAllows,
  type ApiKeyRecord,
  type ApiScope,
} from './api-key.js';
import type { KeyLookup, RateLimiter } from '@recstream/access-keys';

export const API_KEY_HEADER = 'x-api-key';

/** Finds an API key's record by its hash (normally the cached store lookup). */
export type ApiKeyLookup = KeyLookup<ApiKeyRecord>;
const CREATE_HINT =
  'create one with `pnpm serving-keys create --name <name> --scope read --rate <requests/s>`';

/** Codes of the refusals, stable for clients (defined with the others in @recstream/errors). */
export const AUTH_ERROR_CODES = {
  missing: ERROR_CODES.apiKeyMissing,
  unknown: ERROR_CODES.apiKeyUnknown,
  revoked: ERROR_CODES.apiKeyRevoked,
  forbidden: ERROR_CODES.forbidden,
  rateLimited: ERROR_CODES.rateLimited,
} as const;

export type RefusalReason =
  'missing_key' | 'unknown_key' | 'revoked_key' | 'forbidden' | 'rate_limited' | 'unavailable';

/** How serving authenticates its API: `disabled` is for local development only. */
export type ApiAuth =
  | { readonly mode: 'disabled' }
  | { readonly mode: 'required'; readonly keys: ApiKeyLookup; readonly limiter: RateLimiter };

export interface ApiGuard {
  /**
   * Requires a key with scope `needed` on every route registered in `scope` from now on. `costOf`
   * says what a parsed request costs in the rate limit (default 1).
   */
  protect(scope: FastifyInstance, needed: ApiScope, costOf?: (request: FastifyRequest) => number): void;
}

class Refusal {
  constructor(
    readonly reason: Exclude<RefusalReason, 'unavailable'>,
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly retryAfterS?: number,
  ) {}
}

/** The key the request presents, from either header; a conflicting pair is refused. */
function presentedKey(request: FastifyRequest): string | Refusal {
  const header = request.headers[API_KEY_HEADER];
  const fromHeader = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim();
  const authorization = (request.headers.authorization ?? '').trim();
  let fromBearer = '';
  if (authorization !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] === undefined)
      return new Refusal(
        'unknown_key',
        401,
        AUTH_ERROR_CODES.unknown,
        'Authorization header must be `Bearer <API key>`',
      );
    fromBearer = match[1];
  }
  if (fromHeader !== '' && fromBearer !== '' && fromHeader !== fromBearer)
    return new Refusal(
      'unknown_key',
      401,
      AUTH_ERROR_CODES.unknown,
      `Authorization and ${API_KEY_HEADER} carry different keys: send one`,
    );
  const key = fromBearer || fromHeader;
  if (key === '')
    return new Refusal(
      'missing_key',
      401,
      AUTH_ERROR_CODES.missing,
      `missing API key: send it as \`Authorization: Bearer <key>\` or in the ${API_KEY_HEADER} header; ${CREATE_HINT}`,
    );
  if (looksLikeWriteKey(key))
    return new Refusal(
      'unknown_key',
      401,
      AUTH_ERROR_CODES.unknown,
      'this is an ingest write key (rk_…): serving takes API keys (rs_…)',
    );
  if (!isWellFormedApiKey(key))
    return new Refusal(
      'unknown_key',
      401,
      AUTH_ERROR_CODES.unknown,
      'the API key is malformed: expected rs_ followed by 43 base64url characters',
    );
  return key;
}

/** Marks a guarded route as needing a key in OpenAPI. */
function documentSecurity(needed: ApiScope) {
  return (route: RouteOptions): void =>
    documentRouteSecurity(route, {
      security: [{ bearerKey: [] }, { apiKeyHeader: [] }],
      schemes: {
        bearerKey: { type: 'http', scheme: 'bearer', description: `An API key (${CREATE_HINT})` },
        apiKeyHeader: {
          type: 'apiKey',
          in: 'header',
          name: API_KEY_HEADER,
          description: 'The same key in a header',
        },
      },
      errorResponse: ApiErrorResponse,
      describe: (description) =>
        `${description ?? ''}\n\nNeeds an API key with scope \`${needed}\`${needed === 'read' ? ' (or `admin`)' : ''}.`.trim(),
    });
}

export function createApiGuard(options: { auth: ApiAuth; metrics: ServiceMetrics }): ApiGuard {
  const refused = options.metrics.counter(
    'requests_refused_total',
    'API requests refused for their key, its scope or its rate limit, by reason',
    ['reason'],
  );
  const authenticated = new WeakMap<FastifyRequest, ApiKeyRecord>();

  function send(reply: FastifyReply, refusal: Refusal): FastifyReply {
    refused.inc({ reason: refusal.reason });
    if (refusal.status === 401) void reply.header('www-authenticate', 'Bearer');
    if (refusal.retryAfterS !== undefined) void reply.header('retry-after', String(refusal.retryAfterS));
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
  }

  function unavailable(error: unknown): TransientError {
    refused.inc({ reason: 'unavailable' });
    return error instanceof TransientError
      ? error
      : new TransientError(ERROR_CODES.unavailable, errorMessage(error), { cause: error });
  }

  async function charge(
    limiter: RateLimiter,
    record: ApiKeyRecord,
    cost: number,
  ): Promise<Refusal | undefined> {
    let verdict;
    try {
      verdict = await limiter.take(record.hash, record.limit, cost);
    } catch (error) {
      throw unavailable(error);
    }
    if (verdict.allowed) return undefined;
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    return new Refusal(
      'rate_limited',
      429,
      AUTH_ERROR_CODES.rateLimited,
      `API key ${keyId(record.hash)} is over its limit of ${record.limit.ratePerSecond} requests/s (burst ${record.limit.burst}): retry after ${seconds} s`,
      seconds,
    );
  }

  return {
    protect(scope, needed, costOf) {
      const auth = options.auth;
      if (auth.mode === 'disabled') return;
      scope.addHook('onRoute', documentSecurity(needed));
      scope.addHook('onRequest', async (request, reply) => {
        const key = presentedKey(request);
        if (key instanceof Refusal) return send(reply, key);
        const hash = hashApiKey(key);
        let record: ApiKeyRecord | undefined;
        try {
          record = await auth.keys(hash);
        } catch (error) {
          throw unavailable(error);
        }
        if (record === undefined)
          return send(
            reply,
            new Refusal('unknown_key', 401, AUTH_ERROR_CODES.unknown, `API key ${keyId(hash)} is not known`),
          );
        if (record.revokedAt !== undefined)
          return send(
            reply,
            new Refusal(
              'revoked_key',
              401,
              AUTH_ERROR_CODES.revoked,
              `API key ${keyId(hash)} was revoked at ${record.revokedAt.toISOString()}`,
            ),
          );
        if (!scopeAllows(record.scope, needed))
          return send(
            reply,
            new Refusal(
              'forbidden',
              403,
              AUTH_ERROR_CODES.forbidden,
              `API key ${keyId(hash)} has scope ${record.scope}; this route needs ${needed}`,
            ),
          );
        if (costOf !== undefined) {
          authenticated.set(request, record);
          return undefined;
        }
        const refusal = await charge(auth.limiter, record, 1);
        return refusal === undefined ? undefined : send(reply, refusal);
      });
      if (costOf !== undefined)
        scope.addHook('preHandler', async (request, reply) => {
          const record = authenticated.get(request);
          // onRequest ran for every guarded route; without a record the guard is mis-wired.
          if (record === undefined) throw new Error('API request reached the rate limit unauthenticated');
          const refusal = await charge(auth.limiter, record, Math.max(1, costOf(request)));
          return refusal === undefined ? undefined : send(reply, refusal);
        });
    },
  };
}
