/**
 * `pnpm bench:adversarial` — the standing adversarial run against the real services: the
 * collector, the sink, the feature service and serving as their own processes, fast-check inputs
 * (malformed and truncated JSON/NDJSON, wrong types, extreme numbers, huge strings and arrays,
 * odd Unicode, gzip bombs, oversized batches, bad headers and keys) while a well-behaved shop
 * sends on its own key, then chaos under steady load: each service SIGKILLed and restarted, then
 * the Kafka broker, ClickHouse, the durable Redis and the feature store each stopped and started
 * again (Kafka and ClickHouse also SIGKILLed).
 * Prints one JSON document (inputs, per-route answers, crashes, hangs, lost, duplicated, harmed
 * well-behaved records, chaos counts, CPU per input); progress on stderr.
 *
 * Options (environment): BENCH_INPUTS (100000), BENCH_SEED (a fixed default; printed),
 * BENCH_CONCURRENCY (8), BENCH_DEADLINE_MS (15000: a later answer is a hang),
 * BENCH_ATTACKER_NICE (10: the nice value of the thread sending hostile inputs, which here shares
 * the pipeline's cores; 0 for equal priority), BENCH_STEADY_RATE events/s of the well-behaved shop (100), BENCH_QUIET_S its quiet baseline (5),
 * BENCH_CHAOS what to take down, comma-separated (default: collector,sink,feature,serving,kafka,
 * clickhouse,redis,feature-store,kafka-kill,clickhouse-kill; empty: none), BENCH_STORE_DOWN_S how
 * long a store stays down (5).
 * Runs in a throwaway namespace (topics, database, Redis prefix) that it removes at the end; when
 * any store is in BENCH_CHAOS, on a private instance of the infrastructure (its own directory under
 * .local and free ports, started with infra/infra.sh and removed at the end), never the shared one.
 * The harness and generators are the CI slice's (test/adversarial).
 */
import { startPipeline } from '../../test/adversarial/harness.js';
import { total } from '../../test/adversarial/ledger.js';
import { CHAOS_TARGETS, isStoreChaos, runAdversarial, type ChaosTarget } from '../../test/adversarial/run.js';
import { integerFromEnv, integerInRangeFromEnv } from './env.js';
import { reportHeader } from './report.js';

const progress = (line: string) => process.stderr.write(`[bench:adversarial] ${line}\n`);

function chaosFromEnv(): ChaosTarget[] {
  const raw = process.env['BENCH_CHAOS'] ?? CHAOS_TARGETS.join(',');
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names)
    if (!(CHAOS_TARGETS as readonly string[]).includes(name))
      throw new Error(`BENCH_CHAOS: ${name} is not one of ${CHAOS_TARGETS.join(', ')}`);
  return names as ChaosTarget[];
}

async function main(): Promise<void> {
  const inputs = integerFromEnv('BENCH_INPUTS', 100_000);
  const seed = integerFromEnv('BENCH_SEED', 20_261_207);
  const chaos = chaosFromEnv();
  // Stores are only ever restarted on an instance of our own: others use the shared one.
  const privateInfra = chaos.some(isStoreChaos);
  progress(
    `seed ${seed}, ${inputs} inputs, chaos: ${chaos.join(', ') || 'none'}, ${privateInfra ? 'private' : 'shared'} infrastructure`,
  );
  const started = Date.now();
  const pipeline = await startPipeline({ label: 'benchadv', log: progress, privateInfra });
  try {
    const report = await runAdversarial(pipeline, {
      seed,
      inputs,
      concurrency: integerFromEnv('BENCH_CONCURRENCY', 8),
      deadlineMs: integerFromEnv('BENCH_DEADLINE_MS', 15_000),
      steady: {
        eventsPerSecond: integerFromEnv('BENCH_STEADY_RATE', 100),
        batchSize: 10,
        quietMs: integerFromEnv('BENCH_QUIET_S', 5) * 1000,
      },
      attackerNice: integerInRangeFromEnv('BENCH_ATTACKER_NICE', 10, 0, 19),
      chaos,
      storeDownMs: integerFromEnv('BENCH_STORE_DOWN_S', 5) * 1000,
      settleTimeoutMs: 120_000,
      log: progress,
    });
    const { store } = report;
    const output = {
      ...reportHeader('adversarial'),
      seed,
      inputs: report.inputs,
      input_seconds: report.seconds,
      inputs_per_second: Math.round(report.inputs / Math.max(report.seconds, 0.001)),
      wall_seconds: Math.round((Date.now() - started) / 1000),
      cpu_seconds: report.cpuSeconds,
      cpu_ms_per_input: report.cpuMsPerInput,
      crashes: report.crashes,
      hangs: report.hangs,
      server_errors: report.serverErrors,
      no_answer: report.noAnswer,
      flaky_connections: report.flakyConnections,
      client_socket_errors: report.clientSocketErrors,
      scope_violations: report.violations.scope,
      accepted: store.accepted,
      stored: store.stored,
      parked_after_acceptance: store.parked,
      lost: total(store.lost),
      duplicated: report.duplicated,
      duplicate_rows_in_events: store.duplicateRowsInEvents,
      refused_but_stored: store.refusedButStored,
      well_behaved: {
        harmed: report.steady.harmed,
        never_accepted: report.steady.neverAccepted,
        failed_attempts: report.steady.failedAttempts,
        latency_ms: report.steady.latencyMs,
        p99_attack_over_quiet: report.steady.p99Ratio,
        attacker_nice: report.attackerNice,
      },
      tracing: report.tracing,
      infrastructure: privateInfra ? 'private' : 'shared',
      chaos: report.chaos,
      live_at_end: report.liveAtEnd,
      routes: report.routes,
      examples: { violations: report.examples, store: store.examples },
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } finally {
    await pipeline.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:adversarial failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
