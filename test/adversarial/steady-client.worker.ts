/**
 * The well-behaved shop's sending loop, on a thread of its own (see steady-client.ts): the main
 * thread of a run generates and sends hostile inputs, and its event loop can be busy for tens of
 * milliseconds at a time (generating a chunk, building a gzip bomb); measured there, the shop's
 * latency would include the attacker's own pauses, which no real shop on another machine sees.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { send } from './http-client.js';
import type { SteadyLoopSettings, SteadyMessage, SteadyReport, SteadyReply } from './steady-client.js';

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function run(settings: SteadyLoopSettings, post: (reply: SteadyReply) => void) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
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
          user_id: `${settings.name}-u${batchNo % 50}`,
          item_id: settings.itemIds[(batchNo + i) % settings.itemIds.length],
        })),
      ),
    );
    for (let attempt = 0; ; attempt++) {
      attempts += 1;
      const started = performance.now();
      const outcome = await send({
        method: 'POST',
        url: `${settings.url}/v1/events`,
        headers: { 'content-type': 'application/json', 'x-write-key': settings.key },
        body,
        deadlineMs: settings.deadlineMs,
        agent,
      });
      const list = samples.get(phase) ?? [];
      list.push(performance.now() - started);
      samples.set(phase, list);
      if (outcome.status === 202) {
        post({ type: 'accepted', ids, batchNo });
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

  const intervalMs = (1000 * settings.batchSize) / settings.eventsPerSecond;
  const timer = setInterval(() => {
    if (pending.size >= 16) return; // a backlog: the shop buffers, as the SDK does
    const batchNo = batches++;
    const ids = Array.from({ length: settings.batchSize }, () => `${settings.name}.${(next++).toString(36)}`);
    const delivery = deliver(ids, batchNo).finally(() => pending.delete(delivery));
    pending.add(delivery);
  }, intervalMs);

  return {
    phase(name: string) {
      phase = name;
    },
    async stop(drainMs: number): Promise<SteadyReport> {
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

const port = parentPort;
if (port === null) throw new Error('steady-client.worker.ts runs as a worker thread');
const loop = run(workerData as SteadyLoopSettings, (reply) => port.postMessage(reply));
port.on('message', (message: SteadyMessage) => {
  if (message.type === 'phase') loop.phase(message.name);
  else
    void loop.stop(message.drainMs).then((report) => {
      port.postMessage({ type: 'report', report } satisfies SteadyReply);
    });
});
