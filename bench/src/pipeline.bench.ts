/**
 * `pnpm bench:pipeline` — the whole pipeline on this machine: the collector, the ClickHouse sink
 * and the feature service running together, each its own process as deployed (the sink at nice 10
 * with its GC on one thread, the collector with a larger young generation), fed over HTTP by an
 * open-loop generator at a fixed rate with a shop-like mix of events (feature-workload.ts), in
 * batches, through a real write key.
 *
 * After the warm-up, the measured window starts; when the load stops, the benchmark waits until
 * both consumer groups (sink, features) have committed everything (their lag is 0), and the
 * window ends. Prints one JSON document: offered, accepted, stored in ClickHouse, features
 * applied, lost (accepted but in neither `events` nor `failed_events`), each group's lag when the
 * load stopped and the time it took to reach 0, HTTP latency, freshness (202 → row in ClickHouse,
 * estimated from the count as `bench:ingest` does; 202 → features in Redis, sampled events
 * followed as `bench:features` does), and CPU microseconds per event on every hot path: the three
 * services (each over the events it handled in the window), the feature-store Redis (process CPU
 * and INFO commandstats), ClickHouse, Kafka and the durable Redis. Those servers are shared with
 * whatever else runs on the machine, and with this benchmark's own polling: their figures are the
 * delta of the whole process over the window, per event accepted in it.
 *
 * Options (environment): BENCH_RATE events/s offered (5000), BENCH_DURATION_S measured window
 * (60), BENCH_WARMUP_S (10), BENCH_BATCH events per request (100), BENCH_MAX_IN_FLIGHT (64),
 * BENCH_SAMPLE_EVERY (50: one event in this many followed to Redis), BENCH_ITEMS catalog size
 * (100000), BENCH_SINK_NICE (10), BENCH_DRAIN_TIMEOUT_S (120), BENCH_SEED (1), BENCH_FEATURE_STORE
 * shared|private (shared: the infrastructure's feature-store Redis, which other clients may be
 * using; private: a redis-server of the run's own with the deployed settings, so that its CPU and
 * commandstats are this pipeline's alone). Progress on
 * stderr. Runs in a throwaway namespace (topics, database, Redis prefix) that it removes at the end.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createKafka, parseBrokers } from '@recstream/kafka';
import { createLogger } from '@recstream/logger';
import { createRedis, type Redis } from '@recstream/redis';
import type { ClickstreamEvent } from '@recstream/schemas';
import {
  createTestDatabase,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  dropTestDatabase,
  infra,
  startService,
  testNamespace,
  testTopics,
  type RunningService,
} from '@recstream/testing';
import { createBenchWriteKey, featureStorePid, startPrivateRedis, writeCatalog } from './bench-fixtures.js';
import { choiceFromEnv, integerFromEnv, numberFromEnv } from './env.js';
import { clickstream } from './feature-workload.js';
import { runOpenLoop } from './http-load.js';
import { seriesValue } from './metrics-text.js';
import { cpuDelta, cpuUsPerEvent, lostEvents, timeToZeroMs } from './pipeline-figures.js';
import { groupLag, totalLag } from './pipeline-lag.js';
import { startSeenSampler } from './pipeline-samples.js';
import { cpuSeconds, infraPids, peakRssMiB } from './process-stats.js';
import { commandCosts, commandStats } from './redis-info.js';
import { reportHeader } from './report.js';
import { round, seriesLags, summarizeLatencies, type CountSeries } from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED_SERVERS = ['kafka', 'clickhouse', 'redis', 'feature-store'];

const progress = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(
    `[bench:pipeline] ${message} ${Object.keys(fields).length > 0 ? JSON.stringify(fields) : ''}\n`,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cpuOf(pids: Record<string, number>): Promise<Record<string, number | undefined>> {
  const cpu: Record<string, number | undefined> = {};
  for (const [name, pid] of Object.entries(pids)) cpu[name] = await cpuSeconds(pid);
  return cpu;
}

const commandSnapshot = async (redis: Redis) => commandStats(await redis.info('commandstats'));

/** The feature service's events by outcome (its counter moves once per Kafka batch). */
function featureOutcomes(exposition: string) {
  const of = (outcome: string) => seriesValue(exposition, 'rec_feature_events_total', `outcome="${outcome}"`);
  const counts = {
    applied: of('applied'),
    duplicate: of('duplicate'),
    late: of('late'),
    parked: of('parked'),
  };
  return { ...counts, consumed: counts.applied + counts.duplicate + counts.late + counts.parked };
}

async function main(): Promise<void> {
  const rate = numberFromEnv('BENCH_RATE', 5000);
  const durationS = numberFromEnv('BENCH_DURATION_S', 60);
  const warmupS = numberFromEnv('BENCH_WARMUP_S', 10);
  const batch = integerFromEnv('BENCH_BATCH', 100);
  const maxInFlight = integerFromEnv('BENCH_MAX_IN_FLIGHT', 64);
  const sampleEvery = integerFromEnv('BENCH_SAMPLE_EVERY', 50);
  const items = integerFromEnv('BENCH_ITEMS', 100_000);
  const drainTimeoutS = numberFromEnv('BENCH_DRAIN_TIMEOUT_S', 120);
  const seed = integerFromEnv('BENCH_SEED', 1);
  const sinkNiceness = Number(process.env['BENCH_SINK_NICE'] || 10);
  if (!Number.isInteger(sinkNiceness) || sinkNiceness < 0 || sinkNiceness > 19)
    throw new Error(`BENCH_SINK_NICE must be an integer from 0 to 19, got ${sinkNiceness}`);

  const storeChoice = choiceFromEnv('BENCH_FEATURE_STORE', ['shared', 'private'] as const);

  const ns = testNamespace('benchpipeline');
  const topics = testTopics(ns);
  // As the infrastructure's feature store is configured (infra/infra.sh).
  const privateStore =
    storeChoice === 'private'
      ? await startPrivateRedis(['--maxmemory', '4gb', '--maxmemory-policy', 'noeviction'])
      : undefined;
  // Whatever fails after this, the private Redis goes with this process.
  process.once('exit', () => privateStore?.child.kill('SIGTERM'));
  const nsEnv = {
    ...ns.env,
    ...(privateStore === undefined ? {} : { REC_FEATURE_REDIS_URL: privateStore.url }),
  };
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const featureRedis = createRedis(nsEnv['REC_FEATURE_REDIS_URL'] ?? '');
  await featureRedis.connect();
  const admin = createKafka({
    brokers: parseBrokers(infra.kafkaBrokers),
    clientId: ns.id,
    logger: createLogger({ service: 'bench', level: 'warn', destination: process.stderr }),
  }).admin();
  await admin.connect();
  const services: RunningService[] = [];
  try {
    await writeCatalog(featureRedis, ns.redisPrefix, items);
    const key = await createBenchWriteKey(ns.env['REC_REDIS_URL'] ?? '', ns.redisPrefix, rate * 10);
    const env = { ...nsEnv, REC_LOG_LEVEL: 'warn' };
    // As deployed (services/*/package.json, services/ingest/README.md).
    const semiSpace = '--max-semi-space-size=64';
    const [collector, sink, feature] = await Promise.all([
      startService({
        service: 'ingest',
        nodeArgs: [semiSpace],
        env: { ...env, REC_INGEST_ROLE: 'collector' },
      }),
      startService({
        service: 'ingest',
        nodeArgs: [semiSpace, '--single-threaded-gc'],
        niceness: sinkNiceness,
        env: { ...env, REC_INGEST_ROLE: 'sink' },
      }),
      startService({ service: 'feature', env }),
    ]);
    services.push(collector, sink, feature);
    progress('services ready', { rate, durationS, warmupS, batch, sampleEvery, items, store: storeChoice });

    const infraDir = process.env['REC_INFRA_DIR'] ?? path.join(REPO_ROOT, '.local', 'infra');
    const shared = await infraPids(infraDir);
    if (privateStore !== undefined) shared['feature-store'] = privateStore.child.pid ?? 0;
    const storePid = featureStorePid(shared, nsEnv);
    const storeName =
      storePid === undefined ? undefined : storePid === shared['redis'] ? 'redis' : 'feature-store';
    const pids: Record<string, number> = {
      collector: collector.process.pid ?? 0,
      sink: sink.process.pid ?? 0,
      feature: feature.process.pid ?? 0,
      ...shared,
      load_generator: process.pid,
    };
    const groups = {
      sink: { id: `${ns.topicPrefix}rec-ingest-sink`, topics: [topics.events, topics.items, topics.dlq] },
      feature: { id: `${ns.topicPrefix}rec-feature`, topics: [topics.events, topics.items] },
    };
    const scrape = async (service: RunningService) => (await fetch(`${service.url}/metrics`)).text();
    const collectorAccepted = async () =>
      seriesValue(await scrape(collector), 'rec_ingest_events_accepted_total');

    // Rows in ClickHouse over time (for the 202 → row estimate and the sink's events handled).
    const started = performance.now();
    const now = () => performance.now() - started;
    const stored: [number, number][] = [[0, 0]];
    const acked: [number, number][] = [[0, 0]];
    const lagSeries = { sink: [] as [number, number][], feature: [] as [number, number][] };
    let loadRunning = true;
    let polling = true;
    const storedPoller = (async () => {
      while (polling) {
        const rows = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events');
        stored.push([now(), Number(rows[0]?.n ?? 0)]);
        await sleep(250);
      }
    })();
    // Each group's lag: every second under load, every 200 ms once it stopped.
    const lagPoller = (async () => {
      while (polling) {
        const [sinkLag, featureLag] = await Promise.all([
          groupLag(admin, groups.sink.id, groups.sink.topics),
          groupLag(admin, groups.feature.id, groups.feature.topics),
        ]);
        const at = now();
        lagSeries.sink.push([at, totalLag(sinkLag)]);
        lagSeries.feature.push([at, totalLag(featureLag)]);
        await sleep(loadRunning ? 1000 : 200);
      }
    })();
    const sampler = startSeenSampler(featureRedis, ns.redisPrefix);
    const lastOf = (series: CountSeries) => series[series.length - 1]?.[1] ?? 0;

    let acceptedByClients = 0;
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const reporter = setInterval(() => {
      progress('progress', {
        elapsed_s: round(now() / 1000),
        accepted: acceptedByClients,
        stored: lastOf(stored),
        sink_lag: lastOf(lagSeries.sink),
        feature_lag: lastOf(lagSeries.feature),
        samples_pending: sampler.pending,
      });
    }, 5000);

    // The start of the measured window: every counter read once, as close together as possible.
    const warmupEndMs = warmupS * 1000;
    const startSnapshot = async () => {
      const [cpu, commands, accepted, featureText] = await Promise.all([
        cpuOf(pids),
        commandSnapshot(featureRedis),
        collectorAccepted(),
        scrape(feature),
      ]);
      return {
        at: now(),
        cpu,
        commands,
        accepted,
        feature: featureOutcomes(featureText),
        stored: lastOf(stored),
      };
    };
    let windowStart: ReturnType<typeof startSnapshot> | undefined;
    const warmupTimer = setTimeout(() => {
      windowStart = startSnapshot();
      // Awaited once the load ends; until then a failure must not go unhandled.
      windowStart.catch(() => undefined);
    }, warmupEndMs);

    const stream = clickstream({ seed, items, shoppers: 1e9, loginShare: 0.3, concurrentShoppers: 5000 });
    const sampledBySequence = new Map<number, string[]>();
    const load = await runOpenLoop({
      url: new URL('/v1/events', collector.url),
      headers: { 'content-type': 'application/json', 'x-write-key': key },
      requestsPerSecond: rate / batch,
      durationMs: (warmupS + durationS) * 1000,
      maxInFlight,
      body: (sequence) => {
        const events: ClickstreamEvent[] = [];
        const timestamp = new Date().toISOString();
        const sampled: string[] = [];
        for (let i = 0; i < batch; i += 1) {
          const next = stream.next();
          if (next.done === true) throw new Error('the workload ended');
          events.push({ ...next.value, timestamp });
          if ((sequence * batch + i) % sampleEvery === 0) sampled.push(next.value.event_id);
        }
        if (sampled.length > 0) sampledBySequence.set(sequence, sampled);
        return JSON.stringify(events);
      },
      onResult: (sequence, status, latencyMs) => {
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        const at = now();
        const measured = at >= warmupEndMs;
        if (measured) latencies.push(latencyMs);
        const sampled = sampledBySequence.get(sequence) ?? [];
        sampledBySequence.delete(sequence);
        if (status !== 202) return;
        acceptedByClients += batch;
        acked.push([at, acceptedByClients]);
        for (const id of sampled) sampler.accepted(id, measured);
      },
    });
    loadRunning = false;
    const loadEndMs = now();
    clearTimeout(warmupTimer);
    if (windowStart === undefined) throw new Error('the load ended before the warm-up did');
    const start = await windowStart;
    const [cpuAtLoadEnd, acceptedAtLoadEnd, collectorText] = await Promise.all([
      cpuOf(pids),
      collectorAccepted(),
      scrape(collector),
    ]);
    const lagAtLoadEnd = { sink: lastOf(lagSeries.sink), feature: lastOf(lagSeries.feature) };
    progress('load finished; waiting for both consumer groups to drain', {
      accepted: acceptedByClients,
      ...lagAtLoadEnd,
    });

    // Drained: both groups committed everything, and every sample is in Redis (or the deadline).
    const deadline = performance.now() + drainTimeoutS * 1000;
    const drained = () =>
      timeToZeroMs(lagSeries.sink, loadEndMs) !== undefined &&
      timeToZeroMs(lagSeries.feature, loadEndMs) !== undefined &&
      sampler.pending === 0;
    while (!drained() && performance.now() < deadline) await sleep(100);
    const windowEndMs = now();
    const [cpuAtEnd, commandsAtEnd, featureText] = await Promise.all([
      cpuOf(pids),
      commandSnapshot(featureRedis),
      scrape(feature),
    ]);
    const samplesNotVisible = sampler.pending;
    clearInterval(reporter);
    polling = false;
    await Promise.all([storedPoller, lagPoller, sampler.stop()]);

    const [totals] = await clickhouse.query<{ rows: string; ids: string }>(
      'SELECT count() AS rows, uniqExact(event_id) AS ids FROM events',
    );
    const [parked] = await clickhouse.query<{ rows: string; only: string }>(
      'SELECT count() AS rows, uniqExactIf(event_id, event_id NOT IN (SELECT event_id FROM events)) AS only FROM failed_events',
    );
    const storedRows = Number(totals?.rows ?? 0);
    const storedIds = Number(totals?.ids ?? 0);
    const parkedOnly = Number(parked?.only ?? 0);
    const acceptedByCollector = seriesValue(collectorText, 'rec_ingest_events_accepted_total');
    const rejectedByCollector = seriesValue(collectorText, 'rec_ingest_events_rejected_total');
    const featureEnd = featureOutcomes(featureText);

    // What each process handled in the window, and its CPU over it. The collector's work ends with
    // the load; the consumers' and the servers' when both groups drained.
    const acceptedInWindow = acceptedAtLoadEnd - start.accepted;
    const storedInWindow = lastOf(stored) - start.stored;
    const consumedInWindow = featureEnd.consumed - start.feature.consumed;
    const cpuSeconds: Record<string, number | undefined> = {};
    for (const name of Object.keys(pids)) {
      const end = name === 'collector' || name === 'load_generator' ? cpuAtLoadEnd : cpuAtEnd;
      cpuSeconds[name] = cpuDelta(start.cpu[name], end[name]);
    }
    const loadWindowS = (loadEndMs - start.at) / 1000;
    const cores: Record<string, number | undefined> = {};
    for (const name of Object.keys(pids)) {
      const used = cpuDelta(start.cpu[name], cpuAtLoadEnd[name]);
      cores[name] = used === undefined ? undefined : round(used / loadWindowS, 2);
    }
    const usecOf = (command: string) =>
      (commandsAtEnd.get(command)?.usec ?? 0) - (start.commands.get(command)?.usec ?? 0);
    const allCommandsUsec = [...commandsAtEnd.keys()].reduce((sum, command) => sum + usecOf(command), 0);
    // Each over the events that drove its work in the window: the window runs until both groups
    // drained, so a consumer (and the server behind it) also handled the backlog it had at the
    // start; the collector, Kafka's produce side and the durable Redis saw the accepted ones.
    const perAccepted = (name: string) => cpuUsPerEvent(cpuSeconds[name], acceptedInWindow);
    const perEvent = {
      collector: cpuUsPerEvent(cpuSeconds['collector'], acceptedInWindow),
      sink: cpuUsPerEvent(cpuSeconds['sink'], storedInWindow),
      feature_consumer: cpuUsPerEvent(cpuSeconds['feature'], consumedInWindow),
      feature_store_redis:
        storeName === undefined ? undefined : cpuUsPerEvent(cpuSeconds[storeName], consumedInWindow),
      clickhouse: cpuUsPerEvent(cpuSeconds['clickhouse'], storedInWindow),
      kafka: perAccepted('kafka'),
      // The collector's write keys and rate limits (and the features too, when they share it).
      durable_redis: storeName === 'redis' ? undefined : perAccepted('redis'),
    };
    const pipelineUs = Object.values(perEvent).reduce<number>((sum, us) => sum + (us ?? 0), 0);

    const memory: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(pids))
      if (!SHARED_SERVERS.includes(name)) memory[name] = await peakRssMiB(pid);

    const lost = lostEvents({ accepted: acceptedByCollector, stored: storedIds, parkedOnly });
    const toZero = (series: CountSeries) => {
      const ms = timeToZeroMs(series, loadEndMs);
      return ms === undefined ? null : round(ms / 1000, 2);
    };
    const report = {
      ...reportHeader('pipeline'),
      settings: {
        offered_events_per_s: rate,
        measured_s: durationS,
        warmup_s: warmupS,
        batch_events: batch,
        max_in_flight: maxInFlight,
        sample_every_events: sampleEvery,
        items,
        sink_niceness: sinkNiceness,
        feature_store: storeChoice,
      },
      events: {
        offered: load.sent * batch,
        accepted_by_clients: acceptedByClients,
        accepted_by_collector: acceptedByCollector,
        rejected_by_collector: rejectedByCollector,
        stored_in_clickhouse: storedIds,
        stored_rows: storedRows,
        duplicate_rows: storedRows - storedIds,
        parked_rows: Number(parked?.rows ?? 0),
        parked_not_stored: parkedOnly,
        lost,
        features: featureEnd,
        features_not_consumed: Math.max(0, acceptedByCollector - featureEnd.consumed),
      },
      window: {
        measured_load_s: round(loadWindowS, 1),
        // Until both groups drained: the consumers' and servers' CPU is taken over this.
        measured_until_drained_s: round((windowEndMs - start.at) / 1000, 1),
        accepted_events_per_s: round(acceptedInWindow / loadWindowS),
        accepted_events: acceptedInWindow,
        stored_rows: storedInWindow,
        feature_events_consumed: consumedInWindow,
      },
      consumer_lag: {
        sink: {
          max_under_load: Math.max(0, ...lagSeries.sink.filter(([at]) => at <= loadEndMs).map(([, v]) => v)),
          at_load_end: lagAtLoadEnd.sink,
          to_zero_s: toZero(lagSeries.sink),
          at_end: lastOf(lagSeries.sink),
        },
        feature: {
          max_under_load: Math.max(
            0,
            ...lagSeries.feature.filter(([at]) => at <= loadEndMs).map(([, v]) => v),
          ),
          at_load_end: lagAtLoadEnd.feature,
          to_zero_s: toZero(lagSeries.feature),
          at_end: lastOf(lagSeries.feature),
        },
      },
      http: {
        requests: load.sent,
        statuses,
        network_errors: load.failed,
        max_backlog_requests: load.maxBacklog,
        latency_ms: summarizeLatencies(latencies),
      },
      freshness_ms: {
        // From the count of rows (first in, first out): an estimate per batch of events.
        accepted_to_clickhouse: summarizeLatencies(
          seriesLags(
            acked.filter(([at]) => at >= warmupEndMs && at <= loadEndMs),
            stored,
            batch,
          ),
        ),
        // Sampled events followed to their seen-id in the feature store.
        accepted_to_features: summarizeLatencies(sampler.lags),
        samples_not_visible: samplesNotVisible,
        samples_in_warmup: sampler.unmeasured,
      },
      cpu_us_per_event: {
        ...perEvent,
        pipeline_total: round(pipelineUs, 1),
        // Inside the feature store's Redis (INFO commandstats): the apply-once script, and every
        // command (a script's inner commands count twice: in EVALSHA and under their own names).
        // Time inside commands by the clock, not CPU: on busy cores it counts time the thread
        // waited for one; and it includes every other client of that Redis in the window.
        feature_store_commandstats: {
          evalsha: cpuUsPerEvent(usecOf('evalsha') / 1e6, consumedInWindow),
          all_commands: cpuUsPerEvent(allCommandsUsec / 1e6, consumedInWindow),
          top: commandCosts(start.commands, commandsAtEnd, 8),
        },
        load_generator: perAccepted('load_generator'),
      },
      cpu_seconds: cpuSeconds,
      cpu_cores_under_load: cores,
      peak_rss_mib: memory,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const service of services) await service.stop();
    await admin.disconnect();
    featureRedis.disconnect();
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
    await deleteTestKeys(ns);
    privateStore?.child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:pipeline failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
