/**
 * Guards the intake routes: each request must carry a valid, unrevoked write key in `x-write-key`
 * whose scopes reach the route (`events` for /v1/events, `catalog` for the item routes), and pays
 * for what it sends from the key's rate limit, and from its client's limit within a key anyone may
 * hold (browser and legacy keys, `write-key.ts`). The key and its scope are checked before the body
 * is read, so unauthenticated or out-of-scope callers cost no parsing or inflating.
 *
 * What a request costs, in tokens (records):
 * - 1 before its body is read. An emptied bucket thus refuses the next request before reading or
 *   inflating its body, and a request refused later for any reason (an unreadable body, a 403)
 *   has still paid for itself.
 * - once parsed, one per record it carries, valid or refused by validation (the first token
 *   counts as the first record);
 * - refused with 413 (more records than the maximum or the burst, a body over the byte limit,
 *   wherever the refusal is decided): what the largest admissible batch would have cost, taken
 *   from what is there. Oversized floods are then limited as hard as full batches.
 *
 * Refusals go through the service's error handler: 401 for a missing, unknown or revoked key
 * (each its own code), 403 for a key without the route's scope, 429 + Retry-After over the key's
 * or the client's limit, 413 for a batch larger than a burst (no wait would let it through). When
 * Redis cannot be asked, the request is refused with 503 + Retry-After: without Redis a key can be
 * neither verified nor charged, and accepting events we cannot attribute or account for would make
 * the limit meaningless during an outage.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { documentRouteSecurity } from '@recstream/http';
import {
  ERROR_CODES,
  PermanentError,
  RecError,
  TransientError,
  errorMessage,
  type ErrorCode,
} from '@recstream/errors';
import type { ServiceMetrics } from '@recstream/metrics';
import { CollectorErrorResponse as ErrorResponse } from '@recstream/schemas';
import { clientOf, type ClientPrefixes } from './client-address.js';
import type { KeyLookup, RateLimiter } from '@recstream/access-keys';
import {
  hashWriteKey,
  isWellFormedWriteKey,
  keyAllows,
  keyId,
  limitsClients,
  type RateLimit,
  type WriteKeyRecord,
  type WriteScope,
} from './write-key.js';

export const WRITE_KEY_HEADER = 'x-write-key';

/** Finds a write key's record by its hash (normally the cached store lookup). */
export type WriteKeyLookup = KeyLookup<WriteKeyRecord>;
/** Name of the security scheme in the OpenAPI description. */
const SECURITY_SCHEME = 'writeKey';
const CREATE_HINT =
  'create one with `pnpm write-keys create --kind <browser|server> --scope <events|catalog> --source <name> --rate <events/s>`';

export type RefusalReason =
  'missing_key' | 'unknown_key' | 'revoked_key' | 'forbidden' | 'over_burst' | 'rate_limited' | 'unavailable';

/** The rate limit of each client within a key anyone may hold, and how clients are told apart. */
export interface ClientLimits extends ClientPrefixes {
  readonly limit: RateLimit;
}

export interface IntakeGuardOptions {
  /** Finds a key's record by its hash; normally the cached store lookup. */
  readonly keys: WriteKeyLookup;
  readonly limiter: RateLimiter;
  readonly metrics: ServiceMetrics;
  /** How many records a parsed body holds: what a request costs in the rate limit. */
  readonly countRecords: (body: unknown) => number;
  /** Larger batches are refused by the route with 413 (and charged as the largest admissible one). */
  readonly maxRecords: number;
  /** Per-client limits within browser and legacy keys; none when absent. */
  readonly clients?: ClientLimits;
}

export interface IntakeGuard {
  /**
   * Requires a write key with the scope `needed` on every route registered in `scope` from now
   * on; call it first.
   */
  readonly protect: (scope: FastifyInstance, needed: WriteScope) => void;
  /** The source of the key that authenticated the request. */
  readonly sourceOf: (request: FastifyRequest) => string;
}

/** How the collector authenticates intake: `disabled` is for local development only. */
export type IntakeAuth =
  | { readonly mode: 'disabled' }
  | {
      readonly mode: 'required';
      readonly keys: WriteKeyLookup;
      readonly limiter: RateLimiter;
      readonly clients?: ClientLimits;
    };

/** The `source` of events taken in while authentication is disabled. */
export const UNAUTHENTICATED_SOURCE = 'default';

/** An authenticated request: its key, its client's limit (if it has one), what it has paid. */
interface Admitted {
  readonly record: WriteKeyRecord;
  readonly client?: { readonly id: string; readonly limit: RateLimit };
  charged: number;
}

/** The HTTP status an error will be answered with (as packages/http's error handler decides it). */
function statusOf(error: unknown): number | undefined {
  if (error instanceof RecError) {
    const status = error.details['statusCode'];
    return typeof status === 'number' ? status : undefined;
  }
  if (typeof error === 'object' && error !== null && 'statusCode' in error)
    return typeof error.statusCode === 'number' ? error.statusCode : undefined;
  return undefined;
}

function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

function describeKey(record: WriteKeyRecord): string {
  const kind =
    record.kind === 'legacy' ? 'issued before scopes, read as a browser key' : `${record.kind} key`;
  return `write key ${keyId(record.hash)} (${kind}, scopes ${record.scopes.join(',')})`;
}

function scopeRefusal(record: WriteKeyRecord, needed: WriteScope): string {
  return needed === 'catalog'
    ? `${describeKey(record)} may not change the catalog: the item routes need the catalog scope, which only a server key can have (never put it in a page or an app); create one with \`pnpm write-keys create --kind server --scope catalog --source <name> --rate <items/s>\``
    : `${describeKey(record)} may not send events: /v1/events needs the events scope; create a key with \`pnpm write-keys create --kind <browser|server> --scope events --source <name> --rate <events/s>\``;
}

/** Marks a guarded route as requiring the write key in OpenAPI. */
function documentSecurity(route: RouteOptions): void {
  documentRouteSecurity(route, {
    security: [{ [SECURITY_SCHEME]: [] }],
    schemes: {
      [SECURITY_SCHEME]: {
        type: 'apiKey',
        in: 'header',
        name: WRITE_KEY_HEADER,
        description: `A write key issued to one source (${CREATE_HINT}). Missing, unknown or revoked: 401. Scopes: /v1/events needs \`events\`, the item routes \`catalog\`, which only server keys can have (a browser key is public and sends events only); a key without the route's scope: 403 (REC_ERR_FORBIDDEN). Each key has a rate limit in records per second, and each client (address) of a browser key one within it: 429 with Retry-After when exceeded. Every request costs at least one record, refused ones included.`,
      },
    },
    errorResponse: ErrorResponse,
  });
}

export function createIntakeGuard(options: IntakeGuardOptions): IntakeGuard {
  const refused = options.metrics.counter(
    'requests_refused_total',
    'Intake requests refused for their write key, its scope or its rate limits, by reason',
    ['reason'],
  );
  const admitted = new WeakMap<FastifyRequest, Admitted>();

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

  function stateOf(request: FastifyRequest): Admitted {
    const state = admitted.get(request);
    // onRequest ran for every guarded route; without a record the guard is mis-wired.
    if (state === undefined) throw new Error('intake request reached the rate limit unauthenticated');
    return state;
  }

  async function authenticate(request: FastifyRequest): Promise<WriteKeyRecord> {
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
    return record;
  }

  /** Takes `cost` tokens, or refuses the request with 429 (the wait computed for `waitFor`). */
  async function charge(state: Admitted, reply: FastifyReply, cost: number, waitFor: number): Promise<void> {
    const { record, client } = state;
    let verdict;
    try {
      verdict = await options.limiter.take(record.hash, record.limit, cost, {
        waitFor,
        ...(client === undefined ? {} : { within: client }),
      });
    } catch (error) {
      throw unavailable(error);
    }
    if (verdict.allowed) {
      state.charged += cost;
      return;
    }
    const seconds = retryAfterSeconds(verdict.retryAfterMs);
    reply.header('retry-after', String(seconds));
    const { ratePerSecond, burst } = record.limit;
    throw refuse(
      'rate_limited',
      ERROR_CODES.rateLimited,
      429,
      verdict.limitedBy === 'within' && client !== undefined
        ? `client ${client.id} of write key ${keyId(record.hash)} is over its limit of ${client.limit.ratePerSecond} events/s (burst ${client.limit.burst}): retry after ${seconds} s`
        : `write key ${keyId(record.hash)} is over its limit of ${ratePerSecond} events/s (burst ${burst}): retry after ${seconds} s`,
    );
  }

  /**
   * Charges a request that is refused anyway, up to `cost` more tokens, taking what is there. Its
   * answer does not depend on Redis, so a failure here is logged, not turned into a 503.
   */
  async function chargeRefused(request: FastifyRequest, state: Admitted, cost: number): Promise<void> {
    if (cost <= 0) return;
    try {
      await options.limiter.take(state.record.hash, state.record.limit, cost, {
        partial: true,
        ...(state.client === undefined ? {} : { within: state.client }),
      });
      state.charged += cost;
    } catch (err) {
      request.log.warn({ err }, 'could not charge a refused intake request');
    }
  }

  /** The largest batch the request's key and client could have had accepted. */
  function largestBatch(state: Admitted): number {
    return Math.min(options.maxRecords, state.record.limit.burst, state.client?.limit.burst ?? Infinity);
  }

  function onRequest(needed: WriteScope) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const record = await authenticate(request);
      const client =
        options.clients !== undefined && limitsClients(record.kind)
          ? { id: clientOf(request.ip, options.clients), limit: options.clients.limit }
          : undefined;
      const state: Admitted = { record, ...(client === undefined ? {} : { client }), charged: 0 };
      admitted.set(request, state);
      if (!keyAllows(record, needed)) {
        await chargeRefused(request, state, 1);
        throw refuse('forbidden', ERROR_CODES.forbidden, 403, scopeRefusal(record, needed));
      }
      await charge(state, reply, 1, 1);
    };
  }

  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = stateOf(request);
    const count = options.countRecords(request.body);
    // The route refuses it with 413; the refusal is charged when it is sent (onError).
    if (count > options.maxRecords) return;
    const { record, client } = state;
    if (count > record.limit.burst)
      throw refuse(
        'over_burst',
        ERROR_CODES.payloadTooLarge,
        413,
        `batch of ${count} records exceeds the burst of ${record.limit.burst} of write key ${keyId(record.hash)}: send at most ${record.limit.burst} per request`,
      );
    if (client !== undefined && count > client.limit.burst)
      throw refuse(
        'over_burst',
        ERROR_CODES.payloadTooLarge,
        413,
        `batch of ${count} records exceeds the per-client burst of ${client.limit.burst} of write key ${keyId(record.hash)}: send at most ${client.limit.burst} per request`,
      );
    if (count > state.charged) await charge(state, reply, count - state.charged, count);
  }

  /**
   * A request refused with 413 costs what the largest admissible batch would have. Runs for every
   * error of a guarded route, before the error handler answers, wherever the 413 was decided (the
   * byte limit, the body parser, the route, the guard).
   */
  async function chargeOversized(
    request: FastifyRequest,
    _reply: FastifyReply,
    error: unknown,
  ): Promise<void> {
    if (statusOf(error) !== 413) return;
    const state = admitted.get(request);
    if (state !== undefined) await chargeRefused(request, state, largestBatch(state) - state.charged);
  }

  return {
    protect(scope, needed) {
      scope.addHook('onRoute', documentSecurity);
      scope.addHook('onRequest', onRequest(needed));
      scope.addHook('preHandler', admit);
      scope.addHook('onError', chargeOversized);
    },
    sourceOf(request) {
      return stateOf(request).record.source;
    },
  };
}
