/**
 * `pnpm bench:ingest` — sustained end-to-end ingest on this machine, with all infrastructure up.
 *
 * The collector and the ClickHouse sink run as their own processes, as in production, with a
 * real write key (so authentication and the Redis rate limit are on the path). An open-loop load
 * generator offers batches of 100 events at a fixed rate for the measured window; meanwhile
 * ClickHouse is polled for the number of events it can answer for. Prints one JSON document:
 * HTTP acceptance rate and latency, the rate events become queryable, the event → ClickHouse
 * visibility lag, and the peak memory of each process.
 *
 * Options (environment): BENCH_RATE events/s offered (20000), BENCH_DURATION_S measured window
 * (60), BENCH_WARMUP_S (5), BENCH_BATCH events per request (100), BENCH_MAX_IN_FLIGHT (64),
 * BENCH_PROFILE_DIR (write CPU profiles of the collector and the sink there), BENCH_NODE_ARGS
 * (extra Node.js flags for both processes, space-separated), BENCH_SINK=off (the
 * collector alone, as when the sink and ClickHouse run on other machines; nothing reaches ClickHouse),
 * BENCH_COLLECTORS (1: collector replicas, each its own process, taken in turn by the load generator
 * as a round-robin load balancer would; the collector figures cover all of them), BENCH_SINK_NICE
 * (10: the sink's CPU priority, as deployed; 0 runs it at the collector's).
 * Runs in a throwaway namespace (topics, database, Redis prefix) that it removes at the end.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createWriteKeyStore } from '@recstream/ingest/auth';
import { createRedis } from '@recstream/redis';
import {
  createTestDatabase,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  dropTestDatabase,
  startService,
  testNamespace,
  type RunningService,
} from '@recstream/testing';
import { runOpenLoop } from './http-load.js';
import { cpuSeconds, infraPids, peakRssMiB } from './process-stats.js';
import { numberFromEnv } from './env.js';
import { reportHeader } from './report.js';
import {
  bucketQuantileMs,
  parseBuckets,
  round,
  seriesLags,
  summarizeLatencies,
  type Buckets,
  type CountSeries,
} from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const progress = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(
    `[bench:ingest] ${message} ${Object.keys(fields).length > 0 ? JSON.stringify(fields) : ''}\n`,
  );

async function main(): Promise<void> {
  const rate = numberFromEnv('BENCH_RATE', 20_000);
  const durationS = numberFromEnv('BENCH_DURATION_S', 60);
  const warmupS = numberFromEnv('BENCH_WARMUP_S', 5);
  const batch = numberFromEnv('BENCH_BATCH', 100);
  const maxInFlight = numberFromEnv('BENCH_MAX_IN_FLIGHT', 64);
  const collectorReplicas = numberFromEnv('BENCH_COLLECTORS', 1);
  const sinkNiceness = Number(process.env['BENCH_SINK_NICE'] || 10);
  if (!Number.isInteger(sinkNiceness) || sinkNiceness < 0 || sinkNiceness > 19)
    throw new Error(`BENCH_SINK_NICE must be an integer from 0 to 19, got ${sinkNiceness}`);
  // BENCH_SINK=off: the collector alone (with Kafka and Redis), as when the sink runs elsewhere.
  const withSink = process.env['BENCH_SINK'] !== 'off';

  const ns = testNamespace('benchingest');
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const redis = createRedis(ns.env['REC_REDIS_URL'] ?? '');
  await redis.connect();
  const { key } = await createWriteKeyStore(redis, ns.redisPrefix).create({
    source: 'bench',
    limit: { ratePerSecond: rate * 10, burst: rate * 10 },
  });
  redis.disconnect();

  const services: RunningService[] = [];
  try {
    const env = { ...ns.env, REC_LOG_LEVEL: 'warn' };
    // BENCH_PROFILE_DIR: write V8 CPU profiles of both processes there (open in Chrome DevTools).
    const profileDir = process.env['BENCH_PROFILE_DIR'];
    // As `pnpm --filter @recstream/ingest start` runs it: a larger young generation, because the
    // collector allocates short-lived objects per event and scavenges dominate its GC otherwise.
    const nodeArgs = [
      '--max-semi-space-size=64',
      ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
      ...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== ''),
    ];
    const [collectors, sink] = await Promise.all([
      Promise.all(
        Array.from({ length: collectorReplicas }, () =>
          startService({ service: 'ingest', nodeArgs, env: { ...env, REC_INGEST_ROLE: 'collector' } }),
        ),
      ),
      withSink
        ? startService({
            service: 'ingest',
            // As the sink is deployed beside latency-bound services (services/ingest/README.md):
            // garbage collection on its own thread and a lower CPU priority, so its bursts
            // (a batch decoded, deduplicated and encoded for ClickHouse) do not take both cores.
            nodeArgs: [...nodeArgs, '--single-threaded-gc'],
            niceness: sinkNiceness,
            env: { ...env, REC_INGEST_ROLE: 'sink' },
          })
        : undefined,
    ]);
    services.push(...collectors, ...(sink === undefined ? [] : [sink]));
    progress('services ready', {
      collectors: collectors.map((collector) => collector.url),
      sink: sink?.url ?? 'off',
      rate,
      durationS,
      batch,
    });

    const infraDir = process.env['REC_INFRA_DIR'] ?? path.join(REPO_ROOT, '.local', 'infra');
    const pids: Record<string, number> = {
      ...Object.fromEntries(
        collectors.map((collector, i) => [
          collectors.length === 1 ? 'collector' : `collector_${i + 1}`,
          collector.process.pid ?? 0,
        ]),
      ),
      ...(sink === undefined ? {} : { sink: sink.process.pid ?? 0 }),
      ...(await infraPids(infraDir)),
      load_generator: process.pid,
    };
    const cpuBefore: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(pids)) cpuBefore[name] = await cpuSeconds(pid);

    const requestsPerSecond = rate / batch;
    const totalS = warmupS + durationS;
    const started = performance.now();
    const acked: [number, number][] = [[0, 0]];
    const visible: [number, number][] = [[0, 0]];
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let ackedEvents = 0;
    const warmupEndMs = warmupS * 1000;
    // The collector's own view of request latency over the measured window (its histogram).
    // (Scraping also resets the event-loop delay statistics, so they cover the window too.)
    const serverLatency = (exposition: string) =>
      parseBuckets(
        exposition,
        'rec_ingest_http_request_duration_seconds',
        'method="POST",route="/v1/events",status="202"',
      );
    // Its produce requests to Kafka: how long the broker took to acknowledge, and how many
    // requests' events each carried.
    const produceLatency = (exposition: string) =>
      parseBuckets(exposition, 'rec_ingest_kafka_produce_seconds', 'outcome="acknowledged"');
    const produceSizes = (exposition: string) =>
      parseBuckets(exposition, 'rec_ingest_kafka_produce_messages', '');
    // Replicas' expositions joined: their histograms sum (parseBuckets).
    const scrapeCollector = async () =>
      (
        await Promise.all(
          collectors.map(async (collector) => (await fetch(`${collector.url}/metrics`)).text()),
        )
      ).join('\n');
    let serverBefore: Buckets = new Map();
    let produceBefore: Buckets = new Map();
    let sizesBefore: Buckets = new Map();
    const warmupTimer = setTimeout(() => {
      void scrapeCollector().then((text) => {
        serverBefore = serverLatency(text);
        produceBefore = produceLatency(text);
        sizesBefore = produceSizes(text);
      });
    }, warmupEndMs);

    let polling = true;
    const poller = (async () => {
      while (polling) {
        const rows = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events');
        visible.push([performance.now() - started, Number(rows[0]?.n ?? 0)]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const reporter = setInterval(() => {
      const now = performance.now() - started;
      progress('progress', {
        elapsed_s: round(now / 1000),
        acknowledged: ackedEvents,
        queryable: visible[visible.length - 1]?.[1] ?? 0,
      });
    }, 5000);

    const stamp = Date.now().toString(36);
    const load = await runOpenLoop({
      url: collectors.map((collector) => new URL('/v1/events', collector.url)),
      headers: { 'content-type': 'application/json', 'x-write-key': key },
      requestsPerSecond,
      durationMs: totalS * 1000,
      maxInFlight,
      body: (sequence) => {
        const events = [];
        for (let i = 0; i < batch; i += 1) {
          const n = sequence * batch + i;
          events.push({
            type: i % 10 === 0 ? 'add_to_cart' : 'view',
            event_id: `${stamp}-${n}`,
            anonymous_id: `a${n % 5000}`,
            session_id: `s${n % 20000}`,
            item_id: `sku-${n % 10000}`,
            ...(i % 10 === 0 ? { quantity: 1, price: 9.99, currency: 'EUR' } : {}),
            timestamp: new Date().toISOString(),
          });
        }
        return JSON.stringify(events);
      },
      onResult: (_sequence, status, latencyMs) => {
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        const at = performance.now() - started;
        if (at >= warmupEndMs) latencies.push(latencyMs);
        if (status === 202) {
          ackedEvents += batch;
          acked.push([at, ackedEvents]);
        }
      },
    });
    const loadEndMs = performance.now() - started;
    clearTimeout(warmupTimer);
    const collectorMetrics = await scrapeCollector();
    const serverAfter = serverLatency(collectorMetrics);
    const produceAfter = produceLatency(collectorMetrics);
    const sizesAfter = produceSizes(collectorMetrics);
    // The worst replica's.
    const eventLoopLag = (quantile: string) =>
      Math.max(
        ...[
          ...collectorMetrics.matchAll(
            new RegExp(`^rec_ingest_nodejs_eventloop_lag_${quantile}_seconds (\\S+)$`, 'gm'),
          ),
        ].map((match) => Number(match[1])),
      );
    progress('load finished; waiting for the sink to catch up', { acknowledged: ackedEvents });
    const drainDeadline = performance.now() + (withSink ? 120_000 : 0);
    while ((visible[visible.length - 1]?.[1] ?? 0) < ackedEvents && performance.now() < drainDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    polling = false;
    await poller;
    clearInterval(reporter);
    const drainedMs = performance.now() - started;

    // Rates over the measured window only (after warm-up, until the load stopped).
    const countAt = (series: CountSeries, timeMs: number) =>
      [...series].reverse().find(([at]) => at <= timeMs)?.[1] ?? 0;
    const windowS = (loadEndMs - warmupEndMs) / 1000;
    const acceptedInWindow = countAt(acked, loadEndMs) - countAt(acked, warmupEndMs);
    const queryableInWindow = countAt(visible, loadEndMs) - countAt(visible, warmupEndMs);
    const lags = seriesLags(acked, visible, batch);

    // Peak memory of each process, and its share of the machine's cores over the whole run.
    const memory: Record<string, number | undefined> = {};
    const cores: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(pids)) {
      memory[name] = await peakRssMiB(pid);
      const before = cpuBefore[name];
      const after = await cpuSeconds(pid);
      cores[name] =
        before === undefined || after === undefined
          ? undefined
          : round((after - before) / (drainedMs / 1000), 2);
    }

    const finalVisible = visible[visible.length - 1]?.[1] ?? 0;
    const report = {
      ...reportHeader('ingest'),
      settings: {
        with_sink: withSink,
        offered_events_per_s: rate,
        batch_events: batch,
        measured_s: durationS,
        warmup_s: warmupS,
        max_in_flight: maxInFlight,
        collectors: collectorReplicas,
        sink_niceness: withSink ? sinkNiceness : null,
      },
      http: {
        requests: load.sent,
        statuses,
        network_errors: load.failed,
        max_backlog_requests: load.maxBacklog,
        accepted_events_per_s: round(acceptedInWindow / windowS),
        latency_ms: summarizeLatencies(latencies),
        // As the collector measured it (no client or network in it), interpolated in its buckets.
        collector_side_latency_ms: {
          p50: round(bucketQuantileMs(serverBefore, serverAfter, 0.5)),
          p99: round(bucketQuantileMs(serverBefore, serverAfter, 0.99)),
        },
        collector_kafka_produce: {
          p50_ms: round(bucketQuantileMs(produceBefore, produceAfter, 0.5)),
          p99_ms: round(bucketQuantileMs(produceBefore, produceAfter, 0.99)),
          // bucketQuantileMs scales by 1000: undo it for a count.
          messages_per_request_p50: round(bucketQuantileMs(sizesBefore, sizesAfter, 0.5) / 1000),
        },
        collector_event_loop_lag_ms: {
          p50: round(eventLoopLag('p50') * 1000),
          p99: round(eventLoopLag('p99') * 1000),
          max: round(eventLoopLag('max') * 1000),
        },
      },
      clickhouse: !withSink
        ? 'not measured: BENCH_SINK=off'
        : {
            queryable_events_per_s: round(queryableInWindow / windowS),
            acknowledged_events: ackedEvents,
            queryable_events: finalVisible,
            lost_events: Math.max(0, ackedEvents - finalVisible),
            drain_after_load_s: round((drainedMs - loadEndMs) / 1000),
            visibility_lag_ms: summarizeLatencies(lags),
          },
      peak_rss_mib: memory,
      cpu_cores_used: cores,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const service of services) await service.stop();
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
    await deleteTestKeys(ns);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
