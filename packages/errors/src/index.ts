/**
 * Two error families, classified once at the client wrapper that meets the failure:
 * - permanent: the input is wrong; retrying cannot help (HTTP 4xx, DLQ, BullMQ UnrecoverableError);
 * - transient: a dependency is slow or down; retry with bounded backoff.
 * Codes are stable (`REC_ERR_…`) so dashboards, alerts and clients can rely on them.
 */

export const ERROR_CODES = {
  invalidInput: 'REC_ERR_INVALID_INPUT',
  invalidConfig: 'REC_ERR_INVALID_CONFIG',
  payloadTooLarge: 'REC_ERR_PAYLOAD_TOO_LARGE',
  unavailable: 'REC_ERR_DEPENDENCY_UNAVAILABLE',
  timeout: 'REC_ERR_TIMEOUT',
  overloaded: 'REC_ERR_OVERLOADED',
  /** Intake without an `x-write-key` header. */
  writeKeyMissing: 'REC_ERR_WRITE_KEY_MISSING',
  /** A write key that is malformed or was never issued (or whose revoked record has expired). */
  writeKeyUnknown: 'REC_ERR_WRITE_KEY_UNKNOWN',
  /** A write key that was issued and then revoked. */
  writeKeyRevoked: 'REC_ERR_WRITE_KEY_REVOKED',
  /** A write key sent more records than its rate limit allows; retry after the given delay. */
  rateLimited: 'REC_ERR_RATE_LIMITED',
  /** An API call (serving) without an API key. */
  apiKeyMissing: 'REC_ERR_API_KEY_MISSING',
  /** An API key that is malformed or was never issued (or whose revoked record has expired). */
  apiKeyUnknown: 'REC_ERR_API_KEY_UNKNOWN',
  /** An API key that was issued and then revoked. */
  apiKeyRevoked: 'REC_ERR_API_KEY_REVOKED',
  /** A valid key whose scope does not reach the route (a read key on an admin route). */
  forbidden: 'REC_ERR_FORBIDDEN',
  migration: 'REC_ERR_MIGRATION',
  internal: 'REC_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export abstract class RecError extends Error {
  abstract readonly transient: boolean;
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Bad input or configuration: do not retry. */
export class PermanentError extends RecError {
  readonly transient = false;
}

/** A dependency is unavailable, slow or overloaded: retry with backoff. */
export class TransientError extends RecError {
  readonly transient = true;
}

export function isTransient(error: unknown): boolean {
  return error instanceof RecError && error.transient;
}

/** Anything thrown as a readable message for logs and error responses. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { sleep, backoffDelayMs, retryTransient } from './retry.js';
