/**
 * A well-behaved shop: small batches of valid views at a steady rate on its own write key,
 * retrying a batch that got no 202 with the same event ids (as the SDK does). Its latency is kept
 * per phase (quiet, under attack, ...), and every batch answered 202 goes into the ledger.
 *
 * It sends from a worker thread (steady-client.worker.ts), so that its latencies are the
 * pipeline's, not the pauses of the thread that generates the hostile inputs. It still shares the
 * machine's cores with everything else, as the report says.
 */
import { Worker } from 'node:worker_threads';
import type { Ledger } from './ledger.js';

export interface SteadyOptions {
  readonly url: string;
  readonly key: string;
  readonly ledger: Ledger;
  /** Ledger client name, and the prefix of event ids and item ids. */
  readonly name: string;
  readonly eventsPerSecond: number;
  readonly batchSize: number;
  readonly deadlineMs: number;
  /** Items viewed (rollups are checked on them); default 10. */
  readonly items?: number;
}

export interface SteadyReport {
  readonly batches: number;
  readonly attempts: number;
  /** Attempts answered other than 202 (refused or failed), by status or error. */
  readonly failedAttempts: Record<string, number>;
  /** Events never answered 202, even after retries. */
  readonly neverAccepted: number;
  readonly latencyMs: Record<string, { n: number; p50: number; p99: number; max: number }>;
}

export interface SteadyClient {
  /** Latency samples from now on are kept under `name`. */
  phase(name: string): void;
  /** Stops sending new batches, retries the pending ones for up to `drainMs`, and reports. */
  stop(drainMs?: number): Promise<SteadyReport>;
  readonly itemIds: readonly string[];
}

/** What the worker thread needs (the options, less the ledger, which stays on this thread). */
export type SteadyLoopSettings = Omit<SteadyOptions, 'ledger' | 'items'> & { itemIds: readonly string[] };
export type SteadyMessage = { type: 'phase'; name: string } | { type: 'stop'; drainMs: number };
export type SteadyReply =
  { type: 'accepted'; ids: string[]; batchNo: number } | { type: 'report'; report: SteadyReport };

/**
 * The worker is TypeScript: it registers tsx first (a worker does not inherit the loader the run
 * was started with on Node 20), then loads the loop.
 */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./steady-client.worker.ts', import.meta.url).href)}); })`;

export function startSteady(options: SteadyOptions): SteadyClient {
  const itemIds = Array.from({ length: options.items ?? 10 }, (_, i) => `${options.name}-sku-${i}`);
  const { ledger, items: _items, ...rest } = options;
  const settings: SteadyLoopSettings = { ...rest, itemIds };
  const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: settings });
  let reported: ((report: SteadyReport) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (reply: SteadyReply) => {
    if (reply.type === 'accepted')
      ledger.accept(
        reply.ids.map((id) => ({ kind: 'event' as const, id })),
        options.name,
        reply.batchNo,
      );
    else reported?.(reply.report);
  });
  worker.on('error', (error) => {
    failure = error;
    failed?.(error);
  });
  const post = (message: SteadyMessage) => worker.postMessage(message);
  return {
    itemIds,
    phase(name) {
      post({ type: 'phase', name });
    },
    async stop(drainMs = 30_000) {
      if (failure !== undefined) throw failure;
      const report = await new Promise<SteadyReport>((resolve, reject) => {
        reported = resolve;
        failed = reject;
        post({ type: 'stop', drainMs });
      });
      await worker.terminate();
      return report;
    },
  };
}
