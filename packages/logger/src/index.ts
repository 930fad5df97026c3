/**
 * One pino logger per process; children carry the component. Messages are constant strings with
 * the facts in the object (`log.warn({ topic, offset, err }, 'event failed schema')`).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Keys that may hold personal data; their values never reach the logs. */
export const REDACTED_KEYS = [
  'ip',
  'email',
  'password',
  'authorization',
  'req.headers.authorization',
  'req.headers["x-write-key"]',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.ip',
  '*.email',
  '*.password',
];

export interface LoggerOptions {
  readonly service: string;
  /** A pino level name: fatal, error, warn, info, debug, trace or silent. */
  readonly level: string;
  /** Where to write; stdout by default. Tests pass a stream to read the lines back. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.service,
      level: options.level,
      redact: { paths: REDACTED_KEYS, censor: '[redacted]' },
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
