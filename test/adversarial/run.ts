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
import os from 'node:os';
import fc from 'fast-check';
import { topicName } from '@recstream/schemas';
import { readTopic } from '@recstream/testing';
import { SERVICE_NAMES, type Pipeline, type ServiceName } from './harness.js';
import { send, type Outcome } from './http-client.js';
import { hostileInput, type Input } from './hostile-inputs.js';
import { Ledger, settle, total, type StoreCheck } from './ledger.js';
import { describeInput, materialize } from './materialize.js';
import { STORE_NAMES, type StoreName } from './private-infra.js';
import { startSteady, type SteadyReport } from './steady-client.js';

/**
 * What a chaos scenario takes down and brings back: a service (SIGKILL, then started again), a
 * store of the pipeline's private infrastructure (`infra.sh stop`, a pause, `infra.sh start`), or
 * Kafka or ClickHouse SIGKILLed instead of stopped (`-kill`).
 */
export const STORE_CHAOS = [...STORE_NAMES, 'kafka-kill', 'clickhouse-kill'] as const;
export type StoreChaos = (typeof STORE_CHAOS)[number];
export type ChaosTarget = ServiceName | StoreChaos;
export const CHAOS_TARGETS: readonly ChaosTarget[] = [...SERVICE_NAMES, ...STORE_CHAOS];

export function isStoreChaos(target: string): target is StoreChaos {
  return (STORE_CHAOS as readonly string[]).includes(target);
}

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
  /**
   * The nice value of the thread that generates and sends the hostile inputs while it does (0: the
   * same priority as the services). An attacker runs on its own machine; here it shares the two
   * cores with the pipeline, and at equal priority the well-behaved shop's latency measures the
   * test rig's CPU as much as the product's isolation. The shop's thread keeps priority 0.
   */
  readonly attackerNice?: number;
  /**
   * What to take down and bring back under load, one scenario each, in this order: services, and
   * (on a pipeline with private infrastructure) stores.
   */
  readonly chaos: readonly ChaosTarget[];
  /** How long a store stays down (default 5 s). */
  readonly storeDownMs?: number;
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
  readonly target: ChaosTarget;
  /** How long it was down: from the kill or stop to the start being begun. */
  readonly downMs: number;
  /** How long its start took (a service: until ready; a store: until `infra.sh start` returned). */
  readonly restartMs: number;
  /**
   * From the start having returned until every service that was ready before answered `/readyz`
   * 200 again (undefined: not within 2 min); the feature service is not waited for after a
   * feature-store restart.
   */
  readonly allReadyMs: number | undefined;
  /** Services not ready when the scenario ended (the feature service after a lost feature store). */
  readonly notReadyAtEnd: ServiceName[];
  /** From the client's last answer until everything accepted was stored (or the settle gave up). */
  readonly settleMs: number;
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
  /**
   * Rows the sink found stored by an insert that had reported failure, during the scenario (its
   * `clickhouse_rows_stored_by_failed_insert_total`): a ClickHouse killed between writing `events`
   * and pushing the views leaves such rows, which views may miss (review finding L3, accepted and
   * detected). 0 when the sink itself was restarted (its counters start again).
   */
  readonly storedByFailedInserts: number;
  /** When something was lost: a few of the ids, and how many of the lost are not in Kafka either. */
  readonly lostExamples?: string[];
  readonly lostNotInKafka?: number;
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
  /** The attacking thread's nice value while it sent (see `AdversarialOptions.attackerNice`). */
  readonly attackerNice: number;
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

/** Sets the calling thread's nice value (raising it back needs root; a refusal is logged). */
function setOwnPriority(nice: number, log: (line: string) => void): void {
  try {
    if (os.getPriority(0) !== nice) os.setPriority(0, nice);
  } catch (error) {
    log(`cannot set the attacker's nice value to ${nice}: ${(error as Error).message}`);
  }
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
  const attackerNice = options.attackerNice ?? 0;
  // On Linux a nice value is per thread: this lowers the generating thread only.
  setOwnPriority(attackerNice, log);
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
      // A process started from a lowered thread would inherit its nice value.
      setOwnPriority(0, log);
      await pipeline.start(name);
      setOwnPriority(attackerNice, log);
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
  setOwnPriority(0, log);
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
  for (const target of options.chaos) chaos.push(await chaosScenario(pipeline, target, options));

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
    attackerNice,
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

/** The ids `client` (the prefix of its event ids) was promised that are in neither `events` nor `failed_events`. */
async function lostIds(pipeline: Pipeline, ledger: Ledger, client: string): Promise<string[]> {
  const prefix = `${client}.`;
  const kept = new Set<string>();
  for (const table of ['events', 'failed_events'])
    for (const row of await pipeline.clickhouse.query<{ event_id: string }>(
      `SELECT event_id FROM ${table} WHERE substring(event_id, 1, ${prefix.length}) = '${prefix}'`,
    ))
      kept.add(row.event_id);
  return [...ledger.accepted]
    .filter(([id, record]) => record.client === client && !kept.has(id))
    .map(([id]) => id);
}

/** How many of `ids` the events topic does not hold (acknowledged by Kafka, then gone). */
async function notInTopic(pipeline: Pipeline, ids: readonly string[]): Promise<number> {
  const inTopic = new Set(
    (await readTopic(topicName('events', pipeline.ns.topicPrefix))).map(
      (m) => (/"event_id":"([^"]+)"/.exec(m.value ?? '') ?? [])[1],
    ),
  );
  return ids.filter((id) => !inTopic.has(id)).length;
}

function storeOf(target: StoreChaos): StoreName {
  return target === 'kafka-kill' ? 'kafka' : target === 'clickhouse-kill' ? 'clickhouse' : target;
}

/** Takes `target` down, waits, brings it back; returns how long each part took. */
async function bounce(
  pipeline: Pipeline,
  target: ChaosTarget,
  options: AdversarialOptions,
): Promise<{ downMs: number; restartMs: number }> {
  const { log } = options;
  const { infra } = pipeline;
  const down = Date.now();
  if (!isStoreChaos(target)) {
    log(`chaos: SIGKILL ${target}`);
    await pipeline.kill(target, 'SIGKILL');
    await sleep(500);
  } else {
    if (infra === undefined) throw new Error(`chaos ${target} needs a pipeline on private infrastructure`);
    const store = storeOf(target);
    log(`chaos: ${store === target ? 'infra.sh stop' : 'SIGKILL'} ${store}`);
    await (store === target ? infra.stop(store) : infra.kill(store));
    await sleep(options.storeDownMs ?? 5000);
  }
  const restarting = Date.now();
  if (!isStoreChaos(target)) await pipeline.start(target);
  else await infra?.start(storeOf(target));
  const restartMs = Date.now() - restarting;
  log(`chaos: ${target} back in ${restartMs} ms`);
  return { downMs: restarting - down, restartMs };
}

/** Polls `/readyz` until every service in `services` answers 200; the time it took, or undefined. */
async function untilReady(
  pipeline: Pipeline,
  services: readonly ServiceName[],
  timeoutMs: number,
): Promise<number | undefined> {
  const begun = Date.now();
  while (Date.now() - begun < timeoutMs) {
    const ready = await pipeline.readyz();
    if (services.every((name) => ready[name])) return Date.now() - begun;
    await sleep(250);
  }
  return undefined;
}

/**
 * Steady load; take `target` down and bring it back; count what the client was promised and what
 * was kept (views and the rollup included).
 */
/** The sink's count of `events` rows stored by inserts that reported failure (0 if unreadable). */
async function storedByFailedInserts(pipeline: Pipeline): Promise<number> {
  try {
    const response = await fetch(`${pipeline.url('sink')}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    const line =
      /^rec_ingest_clickhouse_rows_stored_by_failed_insert_total\{[^}]*table="events"[^}]*\} (\S+)$/m.exec(
        text,
      );
    return line === null ? 0 : Number(line[1]);
  } catch {
    return 0;
  }
}

async function chaosScenario(
  pipeline: Pipeline,
  target: ChaosTarget,
  options: AdversarialOptions,
): Promise<ChaosCounts> {
  const { log } = options;
  const ledger = new Ledger();
  const name = `chaos-${target}`;
  const client = startSteady({
    url: pipeline.url('collector'),
    key: pipeline.steadyKey,
    ledger,
    name,
    eventsPerSecond: options.steady.eventsPerSecond,
    batchSize: options.steady.batchSize,
    deadlineMs: options.deadlineMs,
  });
  const readyBefore = await pipeline.readyz();
  const failedInsertsBefore = await storedByFailedInserts(pipeline);
  await sleep(2000);
  const { downMs, restartMs } = await bounce(pipeline, target, options);
  // The feature service stays unready once the feature store has lost its data (no persistence,
  // by design) until a rebuild: it is not waited for there, and the scenario says who was not ready.
  const expected = SERVICE_NAMES.filter(
    (service) => readyBefore[service] && !(target === 'feature-store' && service === 'feature'),
  );
  const allReadyMs = await untilReady(pipeline, expected, 120_000);
  await sleep(2000);
  const report = await client.stop(60_000);
  const settling = Date.now();
  const store = await settle(pipeline.clickhouse, ledger, {
    timeoutMs: options.settleTimeoutMs,
    // A consumer whose broker was killed may wait out its session (30 s) and a restart backoff
    // before it fetches again: that is a delay, not a loss.
    quietMs: isStoreChaos(target) ? 60_000 : 15_000,
    log,
  });
  const settleMs = Date.now() - settling;
  const ids = client.itemIds.map((id) => `'${id}'`).join(',');
  const [rollup] = await pipeline.clickhouse.query<{ views: string }>(
    `SELECT sum(views) AS views FROM daily_item_stats WHERE item_id IN (${ids})`,
  );
  const [stored] = await pipeline.clickhouse.query<{ views: string }>(
    `SELECT uniqExact(event_id) AS views FROM events WHERE type = 'view' AND item_id IN (${ids})`,
  );
  const ready = await pipeline.readyz();
  const counts: ChaosCounts = {
    target,
    downMs,
    restartMs,
    allReadyMs,
    notReadyAtEnd: SERVICE_NAMES.filter((service) => !ready[service]),
    settleMs,
    accepted: store.accepted[name] ?? 0,
    stored: store.stored[name] ?? 0,
    lost: store.lost[name] ?? 0,
    parked: store.parked[name] ?? 0,
    duplicated: store.duplicated[name] ?? 0,
    refused: Object.values(report.failedAttempts).reduce((a, b) => a + b, 0),
    neverAccepted: report.neverAccepted,
    rollupExcess: Number(rollup?.views ?? 0) - Number(stored?.views ?? 0),
    storedByFailedInserts: Math.max(0, (await storedByFailedInserts(pipeline)) - failedInsertsBefore),
  };
  const lost = counts.lost === 0 ? [] : await lostIds(pipeline, ledger, name);
  const diagnosed: ChaosCounts =
    lost.length === 0
      ? counts
      : {
          ...counts,
          lostExamples: lost.slice(0, 5),
          lostNotInKafka: await notInTopic(pipeline, lost),
        };
  log(`chaos ${target}: ${JSON.stringify(diagnosed)}`);
  return diagnosed;
}
