/**
 * Classification of ClickHouse and network failures, done here once so callers only ask
 * `isTransient(error)`.
 */
import { ERROR_CODES, PermanentError, TransientError, errorMessage } from '@recstream/errors';

/** Server error codes worth retrying: overload, timeouts, network, read-only replicas. */
const TRANSIENT_SERVER_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '164', // READONLY (the account may only read)
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '216', // QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING (an earlier attempt of this insert still runs)
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '425', // SYSTEM_ERROR
  // The account, not the data: a service given the wrong credentials or rights must wait for an
  // operator (lag and readiness show it), never park the rows it could not write as bad input.
  '192', // UNKNOWN_USER
  '193', // WRONG_PASSWORD
  '291', // DATABASE_ACCESS_DENIED
  '392', // QUERY_IS_PROHIBITED (allow_ddl = 0)
  '497', // ACCESS_DENIED
  '516', // AUTHENTICATION_FAILED
]);

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

/** Wraps whatever the driver threw into our error families. */
export function classifyClickHouseError(error: unknown, operation: string): PermanentError | TransientError {
  if (error instanceof PermanentError || error instanceof TransientError) return error;
  const code = codeOf(error) ?? codeOf((error as { cause?: unknown } | null)?.cause);
  const message = `clickhouse ${operation} failed: ${errorMessage(error)}`;
  const isServerError = code !== undefined && /^\d+$/.test(code);
  const transient = isServerError
    ? TRANSIENT_SERVER_CODES.has(code)
    : code === undefined
      ? // The driver reports its own request timeout and socket closes without a code.
        /timeout|socket hang up|closed/i.test(errorMessage(error))
      : TRANSIENT_NODE_CODES.has(code);
  const details = { operation, code };
  return transient
    ? new TransientError(ERROR_CODES.unavailable, message, { cause: error, details })
    : new PermanentError(ERROR_CODES.internal, message, { cause: error, details });
}
