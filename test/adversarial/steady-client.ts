/**
 * A well-behaved shop: small batches of valid views at a steady rate on its own write key,
 * retrying a batch that got no 202 with the same event ids (as the SDK does). Its latency is kept
 * per phase (quiet, under attack, ...), and every batch answered 202 goes into the ledger.
 */
import http from 'node:http';
import { send } from './http-client.js';
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

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export function startSteady(options: SteadyOptions): SteadyClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const itemIds = Array.from({ length: options.items ?? 10 }, (_, i) => `${options.name}-sku-${i}`);
  const samples = new Map<string, number[]>();
  let phase = 'quiet';
  let next = 0;
  let batches = 0;
  let attempts = 0;
  const failedAttempts: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let stopping = false;
  let drainDeadline = Infinity;
  let neverAccepted = 0;

  async function deliver(ids: string[], batchNo: number): Promise<void> {
    const body = Buffer.from(
      JSON.stringify(
        ids.map((event_id, i) => ({
          event_id,
          type: 'view',
          user_id: `${options.name}-u${batchNo % 50}`,
          item_id: itemIds[(batchNo + i) % itemIds.length],
        })),
      ),
    );
    for (let attempt = 0; ; attempt++) {
      attempts += 1;
      const started = performance.now();
      const outcome = await send({
        method: 'POST',
        url: `${options.url}/v1/events`,
        headers: { 'content-type': 'application/json', 'x-write-key': options.key },
        body,
        deadlineMs: options.deadlineMs,
        agent,
      });
      const list = samples.get(phase) ?? [];
      list.push(performance.now() - started);
      samples.set(phase, list);
      if (outcome.status === 202) {
        options.ledger.accept(
          ids.map((id) => ({ kind: 'event' as const, id })),
          options.name,
          batchNo,
        );
        return;
      }
      const why =
        outcome.status === undefined ? (outcome.hung ? 'hang' : 'no answer') : String(outcome.status);
      failedAttempts[why] = (failedAttempts[why] ?? 0) + 1;
      if (stopping && Date.now() > drainDeadline) {
        neverAccepted += ids.length;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
    }
  }

  const intervalMs = (1000 * options.batchSize) / options.eventsPerSecond;
  const timer = setInterval(() => {
    if (pending.size >= 16) return; // a backlog: the shop buffers, as the SDK does
    const batchNo = batches++;
    const ids = Array.from({ length: options.batchSize }, () => `${options.name}.${(next++).toString(36)}`);
    const delivery = deliver(ids, batchNo).finally(() => pending.delete(delivery));
    pending.add(delivery);
  }, intervalMs);

  return {
    itemIds,
    phase(name) {
      phase = name;
    },
    async stop(drainMs = 30_000) {
      clearInterval(timer);
      stopping = true;
      drainDeadline = Date.now() + drainMs;
      while (pending.size > 0) await Promise.race(pending);
      agent.destroy();
      const latencyMs: SteadyReport['latencyMs'] = {};
      for (const [name, list] of samples) {
        const sorted = [...list].sort((a, b) => a - b);
        latencyMs[name] = {
          n: sorted.length,
          p50: Math.round(quantile(sorted, 0.5) * 10) / 10,
          p99: Math.round(quantile(sorted, 0.99) * 10) / 10,
          max: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
        };
      }
      return { batches, attempts, failedAttempts, neverAccepted, latencyMs };
    },
  };
}
