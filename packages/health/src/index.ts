/**
 * Operational endpoints every service serves, HTTP or not:
 * - `/livez`: the process is up (no dependency checks: a restart would not fix a dependency);
 * - `/readyz`: every dependency check passes, so a load balancer may route traffic here;
 * - `/metrics`: Prometheus text format from the service's own registry.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

export interface HealthOptions {
  readonly registry: Registry;
  /** Named checks; each throws (or rejects) when its dependency is not usable. */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  /** Per-check time limit, so a hung dependency reports as not ready instead of hanging the probe. */
  readonly checkTimeoutMs?: number;
}

async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
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
): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check, timeoutMs);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ready: entries.every(([, status]) => status === 'ok'), checks: Object.fromEntries(entries) };
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  app.get('/livez', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const result = await runReadinessChecks(options.checks, timeoutMs);
    return reply
      .code(result.ready ? 200 : 503)
      .send({ status: result.ready ? 'ready' : 'not ready', checks: result.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });
}
