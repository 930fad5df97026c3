/**
 * The logging surface this package needs. A pino `Logger` satisfies it; tests pass a recorder.
 * Object first, constant message: `log.warn({ status, events }, 'ingest refused batch')`.
 */
export interface TrafficLogger {
  info(facts: object, message: string): void;
  warn(facts: object, message: string): void;
  error(facts: object, message: string): void;
}

/** Drops everything: for callers that do not want logs. */
export const silentLogger: TrafficLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
