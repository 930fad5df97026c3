/**
 * Operational endpoints every service serves, HTTP or not:
 * - `/livez`: the process is up (no dependency checks: a restart would not fix a dependency);
 * - `/readyz`: every dependency check passes, so a load balancer may route traffic here (a check
 *   may say more than `ok` by resolving to a string, e.g. which model version serves);
 * - `/metrics`: Prometheus text format from the service's own registry.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** Resolves when usable (to a short detail shown instead of `ok`, if it has one); rejects when not. */
export type ReadinessCheck = () => Promise<void | string>;

export interface HealthOptions {
  readonly registry: Registry;
  /** Named checks; each throws (or rejects) when its dependency is not usable. */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  /** Per-check time limit, so a hung dependency reports as not ready instead of hanging the probe. */
  readonly checkTimeoutMs?: number;
  /** How long a finished run of the checks answers later probes too (default 0: only runs in flight are shared). */
  readonly reuseMs?: number;
}

/**
 * `/readyz` is unauthenticated and each run pings every dependency, so a flood of probes would be
 * a flood of pings on Kafka, ClickHouse and Redis. Probes that arrive while a run is out share it,
 * so concurrent probes cost one run; `reuseMs` can also let a finished run answer for a while.
 */
function sharedChecks(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs: number,
  reuseMs: number,
): () => Promise<ReadinessResult> {
  let inFlight: Promise<ReadinessResult> | undefined;
  let finished: { readonly result: ReadinessResult; readonly atMs: number } | undefined;
  return () => {
    if (inFlight !== undefined) return inFlight;
    if (finished !== undefined && Date.now() - finished.atMs < reuseMs)
      return Promise.resolve(finished.result);
    inFlight = runReadinessChecks(checks, timeoutMs)
      .then((result) => {
        finished = { result, atMs: Date.now() };
        return result;
      })
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
}

type ReadinessResult = { ready: boolean; checks: Record<string, string> };

/** A failed check's message as shown: bounded (a driver error can carry a whole query or stack). */
const MAX_CHECK_MESSAGE = 200;

async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`check timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runReadinessChecks(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs: number,
): Promise<ReadinessResult> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const detail = await withTimeout(check, timeoutMs);
        return [name, typeof detail === 'string' && detail !== '' ? detail : 'ok', true] as const;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [name, message.slice(0, MAX_CHECK_MESSAGE), false] as const;
      }
    }),
  );
  return {
    ready: entries.every(([, , ok]) => ok),
    checks: Object.fromEntries(entries.map(([name, status]) => [name, status])),
  };
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const readiness = sharedChecks(options.checks, options.checkTimeoutMs ?? 2000, options.reuseMs ?? 0);
  app.get('/livez', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const result = await readiness();
    return reply
      .code(result.ready ? 200 : 503)
      .send({ status: result.ready ? 'ready' : 'not ready', checks: result.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });
}
