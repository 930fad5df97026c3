/**
 * The pipeline as deployed, in a test namespace: the collector, the sink, the feature service and
 * serving, each its own process (as `startService` runs them), on the real local Kafka, ClickHouse
 * and Redis. Write keys and API keys are issued in the namespace's Redis, as the key commands do.
 * Each process can be SIGKILLed and started again on the same port (chaos). With `privateInfra`,
 * the whole pipeline runs on its own instance of the infrastructure (private-infra.ts), whose
 * stores chaos may stop and restart; it is removed at close.
 */
import { readFile } from 'node:fs/promises';
import { createWriteKeyStore } from '@recstream/ingest/auth';
import { createRedis } from '@recstream/redis';
import { createApiKeyStore } from '@recstream/serving/auth';
import type { ClickHouse } from '@recstream/clickhouse';
import {
  createTestDatabase,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  dropTestDatabase,
  freePorts,
  startService,
  testNamespace,
  type RunningService,
  type TestNamespace,
} from '@recstream/testing';
import type { Keys } from './materialize.js';
import { startPrivateInfra, type PrivateInfra } from './private-infra.js';

export const SERVICE_NAMES = ['collector', 'sink', 'feature', 'serving'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Pipeline {
  readonly ns: TestNamespace;
  readonly clickhouse: ClickHouse;
  /** The hostile client's credentials (its own working keys, and revoked ones). */
  readonly keys: Keys;
  /** The well-behaved client's write key (another source). */
  readonly steadyKey: string;
  /** The pipeline's own infrastructure, when started with `privateInfra`. */
  readonly infra: PrivateInfra | undefined;
  url(name: ServiceName): string;
  process(name: ServiceName): RunningService;
  /** Kills the process with `signal` and waits for it to exit. */
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again, on the same port, and waits until it is ready. */
  start(name: ServiceName): Promise<void>;
  /** Whether each process answers `/livez` with 200 within 2 s (false when it exited). */
  livez(): Promise<Record<ServiceName, boolean>>;
  /** Whether each process answers `/readyz` with 200 within 2 s (its dependencies reachable). */
  readyz(): Promise<Record<ServiceName, boolean>>;
  /**
   * CPU seconds each service has used, over all its processes (one that crashed counts as of the
   * last sample: `livez` and `cpuSeconds` take one).
   */
  cpuSeconds(): Promise<Record<ServiceName, number>>;
  /** The output of processes that exited unexpectedly, and of the current ones. */
  output(name: ServiceName): string;
  close(): Promise<void>;
}

export async function cpuSecondsOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startPipeline(
  options: { label?: string; log?: (line: string) => void; privateInfra?: boolean } = {},
): Promise<Pipeline> {
  const log = options.log ?? (() => undefined);
  const infra = options.privateInfra === true ? await startPrivateInfra({ log }) : undefined;
  try {
    return await startPipelineOn(infra, options.label ?? 'adversarial', log);
  } catch (error) {
    await infra?.close();
    throw error;
  }
}

async function startPipelineOn(
  infra: PrivateInfra | undefined,
  label: string,
  log: (line: string) => void,
): Promise<Pipeline> {
  // After startPrivateInfra, the namespace and the helpers below use the private instance.
  const ns = testNamespace(label);
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);

  const redis = createRedis(ns.env['REC_REDIS_URL'] ?? '');
  await redis.connect();
  const writeKeys = createWriteKeyStore(redis, ns.redisPrefix);
  const apiKeys = createApiKeyStore(redis, ns.redisPrefix);
  const generous = { ratePerSecond: 100_000, burst: 100_000 };
  // Key kinds and scopes (a server key may hold `catalog`, a browser key never): spread in, so
  // that a store which predates them issues keys that may do everything, as its keys did.
  const serverKey: Record<string, unknown> = { kind: 'server', scopes: ['events', 'catalog'] };
  const browserKey: Record<string, unknown> = { kind: 'browser', scopes: ['events'] };
  const hostile = await writeKeys.create({ source: 'hostile', limit: generous, ...serverKey });
  const browser = await writeKeys.create({ source: 'hostile-browser', limit: generous, ...browserKey });
  const steady = await writeKeys.create({ source: 'steady', limit: generous, ...serverKey });
  const revokedWrite = await writeKeys.create({ source: 'revoked', limit: generous, ...serverKey });
  await writeKeys.revoke(revokedWrite.key);
  const read = await apiKeys.create({ name: 'hostile-reader', scope: 'read', limit: generous });
  const revokedRead = await apiKeys.create({ name: 'revoked-reader', scope: 'read', limit: generous });
  await apiKeys.revoke(revokedRead.key);
  redis.disconnect();

  const ports = await freePorts(SERVICE_NAMES.length);
  const envOf: Record<
    ServiceName,
    { service: 'ingest' | 'feature' | 'serving'; env: Record<string, string> }
  > = {
    collector: { service: 'ingest', env: { ...ns.env, REC_INGEST_ROLE: 'collector' } },
    sink: { service: 'ingest', env: { ...ns.env, REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '200' } },
    feature: { service: 'feature', env: ns.env },
    serving: { service: 'serving', env: { ...ns.env, REC_SERVING_MODEL_REQUIRED: 'false' } },
  };
  const running = new Map<ServiceName, RunningService>();
  /** CPU seconds of past incarnations (as last sampled), and the last sample of the current one. */
  const pastCpu = new Map<ServiceName, number>();
  const lastCpu = new Map<ServiceName, number>();
  const sampleCpu = async (name: ServiceName) => {
    const seconds = await cpuSecondsOf(running.get(name)?.process.pid);
    if (seconds > 0) lastCpu.set(name, seconds);
    return seconds;
  };
  const pastOutput = new Map<ServiceName, string>();

  async function start(name: ServiceName): Promise<void> {
    const { service, env } = envOf[name];
    const port = ports[SERVICE_NAMES.indexOf(name)] as number;
    const begun = Date.now();
    running.set(name, await startService({ service, env, port, readyTimeoutMs: 90_000 }));
    log(`${name} ready on :${port} in ${Date.now() - begun} ms`);
  }

  const pipeline: Pipeline = {
    ns,
    clickhouse,
    keys: {
      write: hostile.key,
      browserWrite: browser.key,
      revokedWrite: revokedWrite.key,
      read: read.key,
      revokedRead: revokedRead.key,
    },
    steadyKey: steady.key,
    infra,
    url: (name) => `http://127.0.0.1:${ports[SERVICE_NAMES.indexOf(name)] as number}`,
    process(name) {
      const service = running.get(name);
      if (service === undefined) throw new Error(`${name} is not running`);
      return service;
    },
    async kill(name, signal = 'SIGKILL') {
      const service = running.get(name);
      if (service === undefined) return;
      await sampleCpu(name);
      await service.stop(signal);
      pastCpu.set(name, (pastCpu.get(name) ?? 0) + (lastCpu.get(name) ?? 0));
      lastCpu.delete(name);
      pastOutput.set(name, (pastOutput.get(name) ?? '') + service.output());
      running.delete(name);
    },
    start,
    async livez() {
      const entries = await Promise.all(
        SERVICE_NAMES.map(async (name) => {
          const service = running.get(name);
          await sampleCpu(name);
          if (
            service === undefined ||
            service.process.exitCode !== null ||
            service.process.signalCode !== null
          )
            return [name, false] as const;
          return [name, await answers200(`${pipeline.url(name)}/livez`)] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<ServiceName, boolean>;
    },
    async readyz() {
      const entries = await Promise.all(
        SERVICE_NAMES.map(
          async (name) =>
            [name, running.has(name) && (await answers200(`${pipeline.url(name)}/readyz`))] as const,
        ),
      );
      return Object.fromEntries(entries) as Record<ServiceName, boolean>;
    },
    async cpuSeconds() {
      const entries = await Promise.all(
        SERVICE_NAMES.map(async (name) => {
          await sampleCpu(name);
          return [name, (pastCpu.get(name) ?? 0) + (lastCpu.get(name) ?? 0)] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<ServiceName, number>;
    },
    output: (name) => (pastOutput.get(name) ?? '') + (running.get(name)?.output() ?? ''),
    async close() {
      for (const name of SERVICE_NAMES) await pipeline.kill(name, 'SIGKILL');
      await clickhouse.close();
      // A private instance goes away whole; on the shared one, only the namespace.
      if (infra === undefined)
        await Promise.allSettled([dropTestDatabase(ns), deleteTestTopics(ns), deleteTestKeys(ns)]);
      else await infra.close();
    },
  };

  try {
    // Two at a time: four cold TypeScript processes at once starve a 2-core machine.
    await Promise.all([start('collector'), start('sink')]);
    await Promise.all([start('feature'), start('serving')]);
  } catch (error) {
    await pipeline.close();
    throw error;
  }
  return pipeline;
}
