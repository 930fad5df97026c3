/**
 * Redis failures in the product's two families (@recstream/errors), decided once here rather than by
 * message matching in business code:
 * - transient: the connection (refused, reset, closed, timed out, the retries per request used up)
 *   or a server that cannot take the command now but will (`LOADING`, `BUSY`, `OOM`, `MISCONF`,
 *   `READONLY`/`MASTERDOWN` during a failover, `TRYAGAIN`, `CLUSTERDOWN`, `NOREPLICAS`, `NOSCRIPT`);
 *   retrying later can succeed;
 * - permanent: every other error reply (`WRONGTYPE`, `ERR …` such as an invalid float or a Lua
 *   error) and anything that is not a Redis or network error: the same command fails the same way.
 */
import { ERROR_CODES, PermanentError, RecError, TransientError, errorMessage } from '@recstream/errors';

/** Error-reply prefixes of a server that is busy, short of memory or changing roles. */
const TRANSIENT_REPLIES: ReadonlyMap<string, (typeof ERROR_CODES)[keyof typeof ERROR_CODES]> = new Map([
  ['LOADING', ERROR_CODES.unavailable],
  ['BUSY', ERROR_CODES.overloaded],
  ['OOM', ERROR_CODES.overloaded],
  ['MISCONF', ERROR_CODES.unavailable],
  ['READONLY', ERROR_CODES.unavailable],
  ['MASTERDOWN', ERROR_CODES.unavailable],
  ['TRYAGAIN', ERROR_CODES.unavailable],
  ['CLUSTERDOWN', ERROR_CODES.unavailable],
  ['NOREPLICAS', ERROR_CODES.unavailable],
  ['NOSCRIPT', ERROR_CODES.unavailable],
]);

/** Errors ioredis makes itself when the connection fails under a command. */
const CONNECTION_ERROR_NAMES = new Set([
  'AbortError',
  'InterruptError',
  'MaxRetriesPerRequestError',
  'ParserError',
]);
const CONNECTION_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable",
  'Socket timeout',
  'connect ETIMEDOUT',
  'Ready check failed',
];

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** The error, as a transient or permanent RecError (the original as its cause). */
export function classifyRedisError(error: unknown): RecError {
  if (error instanceof RecError) return error;
  const message = errorMessage(error);
  const name = field(error, 'name');
  if (name === 'ReplyError') {
    const code = TRANSIENT_REPLIES.get(message.split(' ', 1)[0] ?? '');
    return code === undefined
      ? new PermanentError(ERROR_CODES.internal, `Redis refused the command: ${message}`, { cause: error })
      : new TransientError(code, `Redis cannot take the command now: ${message}`, { cause: error });
  }
  if (message === 'Command timed out')
    return new TransientError(ERROR_CODES.timeout, `Redis did not answer in time: ${message}`, {
      cause: error,
    });
  const systemError =
    typeof field(error, 'syscall') === 'string' || /^E[A-Z]+$/.test(String(field(error, 'code')));
  if (
    systemError ||
    (typeof name === 'string' && CONNECTION_ERROR_NAMES.has(name)) ||
    CONNECTION_MESSAGES.some((known) => message.startsWith(known))
  )
    return new TransientError(ERROR_CODES.unavailable, `Redis connection failed: ${message}`, {
      cause: error,
    });
  return new PermanentError(ERROR_CODES.internal, message, { cause: error });
}

export function isTransientRedisError(error: unknown): boolean {
  return classifyRedisError(error).transient;
}
