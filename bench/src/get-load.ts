/**
 * GET load for serving: open loop (requests released on a fixed schedule, latency counted from
 * each one's due time, so a server that falls behind shows it) and closed loop (each client sends
 * its next request when its last one answered). Runs in its own process (get-load.child.ts) so
 * that the bench's heap — the simulated shop, the trained model — and its collections do not
 * delay requests and get counted as the server's latency.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface GetLoadResult {
  readonly latencies: number[];
  /** Answers per HTTP status (0: no answer). */
  readonly statuses: Record<string, number>;
  readonly sent: number;
  readonly elapsedMs: number;
  /** Most requests ever overdue at once (held back because `maxInFlight` were waiting). */
  readonly maxBacklog: number;
}

interface Recorder {
  readonly latencies: number[];
  readonly statuses: Record<string, number>;
}

/** One GET; records its latency from `fromMs` and its status (0: no answer) when it ends. */
function getOnce(
  url: URL,
  agent: http.Agent,
  headers: Readonly<Record<string, string>>,
  fromMs: number,
  record: Recorder,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (status: number) => {
      record.latencies.push(performance.now() - fromMs);
      record.statuses[status] = (record.statuses[status] ?? 0) + 1;
      resolve();
    };
    const request = http.get(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
    });
    request.on('error', () => done(0));
  });
}

/** Open loop: request n is due at n / rate; its latency counts from then, whatever the backlog. */
export async function runOpenLoop(
  url: (sequence: number) => URL,
  headers: Readonly<Record<string, string>>,
  rate: number,
  durationMs: number,
  maxInFlight: number,
): Promise<GetLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const record: Recorder = { latencies: [], statuses: {} };
  const settled: Promise<void>[] = [];
  let sent = 0;
  let inFlight = 0;
  let maxBacklog = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    // Requests 0..due-1 are due by now: request n at n / rate, the first one at once.
    const due = Math.floor(((performance.now() - started) / 1000) * rate) + 1;
    while (sent < due && inFlight < maxInFlight) {
      inFlight += 1;
      const dueAt = started + (sent / rate) * 1000;
      settled.push(getOnce(url(sent), agent, headers, dueAt, record).finally(() => (inFlight -= 1)));
      sent += 1;
    }
    maxBacklog = Math.max(maxBacklog, due - sent);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(settled);
  agent.destroy();
  return { ...record, sent, elapsedMs: performance.now() - started, maxBacklog };
}

/** Closed loop: `connections` clients; latency from each request's send. */
export async function runClosedLoop(
  url: (sequence: number) => URL,
  headers: Readonly<Record<string, string>>,
  connections: number,
  durationMs: number,
): Promise<GetLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const record: Recorder = { latencies: [], statuses: {} };
  let sent = 0;
  const started = performance.now();
  const client = async () => {
    while (performance.now() - started < durationMs) {
      const sequence = sent;
      sent += 1;
      await getOnce(url(sequence), agent, headers, performance.now(), record);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  return { ...record, sent, elapsedMs: performance.now() - started, maxBacklog: 0 };
}

/** What the load process asks for: GET /v1/recommendations for random shoppers, round robin over `bases`. */
export interface GetLoadTarget {
  /** Serving instances' base URLs. */
  readonly bases: readonly string[];
  readonly shopperIds: readonly string[];
  readonly k: number;
  readonly seed: number;
  readonly headers: Readonly<Record<string, string>>;
}

export type GetLoadRun =
  | {
      readonly mode: 'open';
      readonly rate: number;
      readonly durationMs: number;
      readonly maxInFlight: number;
    }
  | { readonly mode: 'closed'; readonly connections: number; readonly durationMs: number };

export interface GetLoadReport extends GetLoadResult {
  /** The load process's own event-loop delay during the run: its stalls count as latency. */
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
}

/** Messages between the bench and its load process. */
export type GetLoadRequest =
  | { readonly type: 'target'; readonly target: GetLoadTarget }
  | { readonly type: 'run'; readonly run: GetLoadRun };
export type GetLoadReply =
  | { readonly type: 'report'; readonly report: GetLoadReport }
  | { readonly type: 'error'; readonly message: string };

export interface GetLoadProcess {
  run(run: GetLoadRun): Promise<GetLoadReport>;
  stop(): Promise<void>;
}

/** Starts the load process (get-load.child.ts) aimed at `target`; runs are sequential. */
export async function startGetLoadProcess(target: GetLoadTarget): Promise<GetLoadProcess> {
  const child = fork(new URL('./get-load.child.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'spawn');
  const exitCode = once(child, 'exit').then(([code]) => code as number | null);
  // One listener for the process's life; every run races against it.
  const exitedEarly = exitCode.then((code) => {
    throw new Error(`the load process exited with ${String(code)}`);
  });
  exitedEarly.catch(() => undefined);
  child.send({ type: 'target', target } satisfies GetLoadRequest);
  return {
    async run(run) {
      const replied = once(child, 'message').then(([message]) => {
        const reply = message as GetLoadReply;
        if (reply.type === 'error') throw new Error(`the load process failed: ${reply.message}`);
        return reply.report;
      });
      child.send({ type: 'run', run } satisfies GetLoadRequest);
      return Promise.race([replied, exitedEarly]);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitCode;
    },
  };
}
