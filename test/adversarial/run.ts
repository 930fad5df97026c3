/**
 * One adversarial run against a started pipeline: a well-behaved client sends steadily (first
 * alone, for its quiet baseline), the hostile inputs are sent with some concurrency, then every
 * invariant is checked: each request answered within the deadline, no 5xx other than 503, every
 * process live, every accepted record stored exactly once (or parked with a reason), nothing of
 * the well-behaved client harmed. Chaos scenarios follow, each under its own steady load.
 *
 * Inputs are deterministic: input `n` of seed `s` is `inputAt(s, n)`, so any failing input can be
 * printed, and sent again, from two numbers.
 */
import http from 'node:http';
import fc from 'fast-check';
import type { Pipeline, ServiceName } from './harness.js';
import { send, type Outcome } from './http-client.js';
import { hostileInput, type Input } from './hostile-inputs.js';
import { Ledger, settle, total, type StoreCheck } from './ledger.js';
import { describeInput, materialize } from './materialize.js';
import { startSteady, type SteadyReport } from './steady-client.js';

/** Inputs are generated in chunks of this many, chunk `c` from seed `seed + c`. */
const CHUNK = 250;

function chunkOf(seed: number, chunk: number): Input[] {
  return fc.sample(hostileInput, { seed: (seed + chunk) | 0, numRuns: CHUNK });
}

/** Input number `n` of the run with `seed`. */
export function inputAt(seed: number, n: number): Input {
  return chunkOf(seed, Math.floor(n / CHUNK))[n % CHUNK] as Input;
}

export interface AdversarialOptions {
  readonly seed: number;
  readonly inputs: number;
  readonly concurrency: number;
  /** An answer later than this is a hang. */
  readonly deadlineMs: number;
  readonly steady: { readonly eventsPerSecond: number; readonly batchSize: number; readonly quietMs: number };
  /** Services to SIGKILL and restart under load, one scenario each, in this order. */
  readonly chaos: readonly ServiceName[];
  readonly settleTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface Violation {
  readonly kind: 'hang' | 'server-error' | 'crash' | 'bad-answer' | 'no-answer' | 'scope';
  readonly input: number;
  readonly route: string;
  readonly status?: number | undefined;
  readonly detail: string;
  readonly reproduction: string;
}

export interface ChaosCounts {
  readonly service: ServiceName;
  readonly restartMs: number;
  readonly accepted: number;
  readonly stored: number;
  readonly lost: number;
  readonly parked: number;
  readonly duplicated: number;
  /** Requests not answered 202 (refused, 503, connection refused): retried by the client. */
  readonly refused: number;
  readonly neverAccepted: number;
  /** Views counted by the `daily_item_stats` rollup minus the views stored in `events`. */
  readonly rollupExcess: number;
}

export interface AdversarialReport {
  readonly seed: number;
  readonly inputs: number;
  readonly seconds: number;
  readonly routes: Record<string, Record<string, number>>;
  readonly violations: Record<Violation['kind'], number>;
  readonly examples: Violation[];
  readonly crashes: number;
  readonly hangs: number;
  readonly serverErrors: number;
  readonly noAnswer: number;
  /** Requests that got no answer once but one when sent again (counted, not a violation). */
  readonly flakyConnections: number;
  /** Uncaught client socket write errors (a reset while sending), counted. */
  readonly clientSocketErrors: number;
  readonly store: StoreCheck;
  readonly lost: number;
  readonly duplicated: number;
  readonly parkedAccepted: number;
  readonly tracing: { countMismatches: number; untracedAccepted: number; examples: unknown[] };
  readonly steady: SteadyReport & { harmed: number; p99Ratio: number | undefined };
  readonly cpuSeconds: Record<string, number>;
  readonly cpuMsPerInput: number;
  readonly chaos: ChaosCounts[];
  readonly liveAtEnd: Record<ServiceName, boolean>;
}

function routeOf(input: Input): string {
  const path = input.path
    .replace(/^\/v1\/items\/(?!delete$)[^/]*\/similar$/, '/v1/items/{id}/similar')
    .replace(/^\/v1\/items\/(?!delete$)[^/]+$/, '/v1/items/{id}');
  const known = [
    '/v1/events',
    '/v1/items',
    '/v1/items/delete',
    '/v1/items/{id}',
    '/v1/items/{id}/similar',
  ].includes(path);
  return `${input.target} ${input.method} ${known || input.target === 'serving' ? path : '(odd path)'}`;
}

/** The last error a process printed (its message and first stack lines), for the report. */
function lastError(output: string): string {
  const lines = output.split('\n');
  const at = lines.findLastIndex(
    (line) => /(Error|error)\b|FATAL|Uncaught/.test(line) && !/^\s+at /.test(line),
  );
  return (at < 0 ? lines.slice(-12) : lines.slice(Math.max(0, at - 2), at + 10)).join('\n').slice(0, 2500);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runAdversarial(
  pipeline: Pipeline,
  options: AdversarialOptions,
): Promise<AdversarialReport> {
  const { log } = options;
  const ledger = new Ledger();
  const violations: Violation[] = [];
  const violationCounts: Record<Violation['kind'], number> = {
    hang: 0,
    'server-error': 0,
    crash: 0,
    'bad-answer': 0,
    'no-answer': 0,
    scope: 0,
  };
  const flag = (v: Violation) => {
    violationCounts[v.kind] += 1;
    if (violations.filter((x) => x.kind === v.kind).length < 10) violations.push(v);
    log(`VIOLATION ${v.kind} input ${v.input} (${v.route}) ${v.status ?? ''}: ${v.detail.slice(0, 300)}`);
  };
  const routes: Record<string, Record<string, number>> = {};
  const now = Date.now();

  // The well-behaved shop, alone first.
  const steady = startSteady({
    url: pipeline.url('collector'),
    key: pipeline.steadyKey,
    ledger,
    name: 'steady',
    eventsPerSecond: options.steady.eventsPerSecond,
    batchSize: options.steady.batchSize,
    deadlineMs: options.deadlineMs,
  });
  await sleep(options.steady.quietMs);
  steady.phase('attack');

  // A socket the server reset while a hostile body was still being written can surface as an
  // uncaught write error (ECONNRESET, EPIPE) outside any request's listeners: count it, as the
  // request itself is answered or counted as unanswered; anything else still fails the run.
  let clientSocketErrors = 0;
  const onUncaught = (error: NodeJS.ErrnoException) => {
    if (error.syscall === 'write' && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
      clientSocketErrors += 1;
      return;
    }
    process.off('uncaughtException', onUncaught);
    throw error;
  };
  process.on('uncaughtException', onUncaught);

  const cpuBefore = await pipeline.cpuSeconds();
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  // A connection per request: a hostile request may leave its connection unusable, and a
  // reused one that the server closed would read as "no answer" for the next, innocent input.
  const agent = new http.Agent({ keepAlive: false, maxSockets: options.concurrency });
  let nextInput = 0;
  let chunk: Input[] = [];
  let chunkNo = -1;
  let sinceLivez = 0;
  let crashes = 0;
  /** Connections that ended without an answer once, and were answered when sent again. */
  let flakyConnections = 0;

  const inFlight = new Set<number>();
  const recent: number[] = [];
  let checking: Promise<void> | undefined;
  /** One liveness check at a time; callers arriving meanwhile share it. */
  function checkLive(input: number): Promise<void> {
    checking ??= checkLiveNow(input).finally(() => (checking = undefined));
    return checking;
  }

  async function checkLiveNow(input: number): Promise<void> {
    const suspects = [...inFlight, ...recent].sort((a, b) => a - b);
    const live = await pipeline.livez();
    for (const [name, ok] of Object.entries(live) as [ServiceName, boolean][]) {
      if (ok) continue;
      crashes += 1;
      const proc = pipeline.process(name).process;
      flag({
        kind: 'crash',
        input,
        route: name,
        detail: `${name} not live (exit ${proc.exitCode ?? proc.signalCode ?? 'none'}) after input ${input}: ${lastError(pipeline.output(name))}`,
        reproduction: `seed ${options.seed}, one of the inputs in flight or just answered: ${suspects.join(' ')}`,
      });
      await pipeline.kill(name);
      await pipeline.start(name);
    }
  }

  async function one(n: number, recipe: Input): Promise<void> {
    inFlight.add(n);
    try {
      await sendOne(n, recipe);
    } finally {
      inFlight.delete(n);
      recent.push(n);
      if (recent.length > 16) recent.shift();
    }
  }

  async function sendOne(n: number, recipe: Input): Promise<void> {
    const request = materialize(recipe, n, pipeline.keys, now);
    const crashesBefore = crashes;
    const target = `${pipeline.url(recipe.target === 'collector' ? 'collector' : 'serving')}${request.path}`;
    const attempt = () =>
      send({
        method: request.method,
        url: target,
        headers: request.headers,
        body: request.body,
        chunked: request.chunked,
        deadlineMs: options.deadlineMs,
        agent,
      });
    const route = routeOf(recipe);
    let outcome: Outcome = await attempt();
    if (outcome.status === undefined && !outcome.hung && !(outcome.error ?? '').startsWith('not sent')) {
      // A connection that ended without an answer is retried once, as a client would (same ids):
      // only an input that gets no answer twice is a violation.
      flakyConnections += 1;
      outcome = await attempt();
    }
    const refusedConnection = (outcome.error ?? '').includes('ECONNREFUSED');
    if (outcome.status === undefined && !outcome.hung) await checkLive(n);
    // A process that died takes its connections with it: the crash is the violation, once.
    const crashed = crashes > crashesBefore || refusedConnection;
    const label =
      outcome.status !== undefined
        ? String(outcome.status)
        : outcome.hung
          ? 'hang'
          : crashed
            ? 'no-answer (crash)'
            : (outcome.error ?? '').startsWith('write ')
              ? 'closed while sending'
              : 'no-answer';
    const counts = (routes[route] ??= {});
    counts[label] = (counts[label] ?? 0) + 1;
    const base = {
      input: n,
      route,
      status: outcome.status,
      reproduction: `seed ${options.seed} input ${n}: ${describeInput(recipe)}`,
    };
    if (outcome.hung) flag({ ...base, kind: 'hang', detail: outcome.error ?? '' });
    else if (outcome.status === undefined) {
      // A server may answer early (413, 415) and close while the body is still being written; the
      // client then sees a write error instead of the answer: counted under its label, not flagged.
      if (!crashed && !/^(not sent|write )/.test(outcome.error ?? ''))
        flag({ ...base, kind: 'no-answer', detail: outcome.error ?? '' });
    } else if (outcome.status >= 500 && outcome.status !== 503)
      flag({ ...base, kind: 'server-error', detail: outcome.body.slice(0, 500) });
    else if (
      outcome.status === 202 &&
      recipe.target === 'collector' &&
      !/^\{"accepted":\d+/.test(outcome.body)
    )
      flag({
        ...base,
        kind: 'bad-answer',
        detail: `202 without an accepted count: ${outcome.body.slice(0, 300)}`,
      });
    if (
      recipe.target === 'collector' &&
      recipe.key === 'browser' &&
      recipe.path.startsWith('/v1/items') &&
      outcome.status !== undefined &&
      outcome.status < 300
    )
      flag({
        ...base,
        kind: 'scope',
        detail: `a browser key changed the catalog: ${outcome.body.slice(0, 200)}`,
      });
    if (recipe.target === 'collector') ledger.note(request, outcome, 'hostile', n);
  }

  async function worker(): Promise<void> {
    for (;;) {
      const n = nextInput++;
      if (n >= options.inputs) return;
      const wanted = Math.floor(n / CHUNK);
      if (wanted !== chunkNo) {
        chunk = chunkOf(options.seed, wanted);
        chunkNo = wanted;
      }
      const recipe = chunk[n % CHUNK] as Input;
      await one(n, recipe);
      if (++sinceLivez >= 500) {
        sinceLivez = 0;
        await checkLive(n);
      }
      if (n % 1000 === 999)
        log(
          `${n + 1}/${options.inputs} inputs, ${Math.round(performance.now() - started) / 1000} s, ${ledger.accepted.size} records accepted`,
        );
    }
  }
  // Workers take inputs in order, so chunks are generated once each (they never run far apart).
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  process.off('uncaughtException', onUncaught);
  const self = process.cpuUsage(selfBefore);
  const cpuAfter = await pipeline.cpuSeconds();
  agent.destroy();
  await checkLive(options.inputs);

  steady.phase('after');
  await sleep(1000);
  const steadyReport = await steady.stop();
  log(`inputs sent in ${seconds.toFixed(1)} s; waiting for the sink`);
  const store = await settle(pipeline.clickhouse, ledger, {
    timeoutMs: options.settleTimeoutMs,
    quietMs: 15_000,
    log,
  });

  const cpuSeconds: Record<string, number> = { client: (self.user + self.system) / 1e6 };
  for (const name of Object.keys(cpuAfter) as ServiceName[])
    cpuSeconds[name] = Math.max(0, cpuAfter[name] - cpuBefore[name]);
  const cpuTotal = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);

  const chaos: ChaosCounts[] = [];
  for (const service of options.chaos) chaos.push(await chaosScenario(pipeline, service, options));

  const liveAtEnd = await pipeline.livez();
  const quiet = steadyReport.latencyMs['quiet']?.p99;
  const attack = steadyReport.latencyMs['attack']?.p99;
  return {
    seed: options.seed,
    inputs: options.inputs,
    seconds: Math.round(seconds * 10) / 10,
    routes,
    violations: violationCounts,
    examples: violations,
    crashes,
    hangs: violationCounts.hang,
    serverErrors: violationCounts['server-error'],
    noAnswer: violationCounts['no-answer'],
    flakyConnections,
    clientSocketErrors,
    store,
    lost: store.lost['hostile'] ?? 0,
    duplicated: total(store.duplicated),
    parkedAccepted: store.parked['hostile'] ?? 0,
    tracing: {
      countMismatches: ledger.countMismatches.length,
      untracedAccepted: ledger.untracedAccepted,
      examples: ledger.countMismatches.slice(0, 5),
    },
    steady: {
      ...steadyReport,
      harmed:
        steadyReport.neverAccepted +
        (store.lost['steady'] ?? 0) +
        (store.parked['steady'] ?? 0) +
        (store.duplicated['steady'] ?? 0),
      p99Ratio:
        quiet !== undefined && attack !== undefined && quiet > 0
          ? Math.round((attack / quiet) * 100) / 100
          : undefined,
    },
    cpuSeconds: Object.fromEntries(
      Object.entries(cpuSeconds).map(([k, v]) => [k, Math.round(v * 100) / 100]),
    ),
    cpuMsPerInput: Math.round((cpuTotal * 1000 * 1000) / Math.max(1, options.inputs)) / 1000,
    chaos,
    liveAtEnd,
  };
}

/** Steady load; SIGKILL `service`; start it again; count what the client was promised and what was kept. */
async function chaosScenario(
  pipeline: Pipeline,
  service: ServiceName,
  options: AdversarialOptions,
): Promise<ChaosCounts> {
  const { log } = options;
  const ledger = new Ledger();
  const name = `chaos-${service}`;
  const client = startSteady({
    url: pipeline.url('collector'),
    key: pipeline.steadyKey,
    ledger,
    name,
    eventsPerSecond: options.steady.eventsPerSecond,
    batchSize: options.steady.batchSize,
    deadlineMs: options.deadlineMs,
  });
  await sleep(2000);
  log(`chaos: SIGKILL ${service}`);
  await pipeline.kill(service, 'SIGKILL');
  await sleep(500);
  const restarting = Date.now();
  await pipeline.start(service);
  const restartMs = Date.now() - restarting;
  await sleep(2000);
  const report = await client.stop(60_000);
  const store = await settle(pipeline.clickhouse, ledger, {
    timeoutMs: options.settleTimeoutMs,
    quietMs: 15_000,
    log,
  });
  const ids = client.itemIds.map((id) => `'${id}'`).join(',');
  const [rollup] = await pipeline.clickhouse.query<{ views: string }>(
    `SELECT sum(views) AS views FROM daily_item_stats WHERE item_id IN (${ids})`,
  );
  const [stored] = await pipeline.clickhouse.query<{ views: string }>(
    `SELECT uniqExact(event_id) AS views FROM events WHERE type = 'view' AND item_id IN (${ids})`,
  );
  const counts: ChaosCounts = {
    service,
    restartMs,
    accepted: store.accepted[name] ?? 0,
    stored: store.stored[name] ?? 0,
    lost: store.lost[name] ?? 0,
    parked: store.parked[name] ?? 0,
    duplicated: store.duplicated[name] ?? 0,
    refused: Object.values(report.failedAttempts).reduce((a, b) => a + b, 0),
    neverAccepted: report.neverAccepted,
    rollupExcess: Number(rollup?.views ?? 0) - Number(stored?.views ?? 0),
  };
  log(`chaos ${service}: ${JSON.stringify(counts)}`);
  return counts;
}
