/**
 * `pnpm bench:features` — the feature service on this machine, with all infrastructure up:
 *
 * - `throughput`: events/s one feature service process applies. BENCH_EVENTS enriched events (a
 *   shop-like mix, feature-workload.ts) are produced to a fresh events topic first, then the
 *   service is started, as in production, and timed until the store's offset watermarks cover
 *   them all (its `rec_feature_events_total` must agree). The rate is taken from 5 % applied
 *   (past start-up and group join) to the end. Also: the CPU of the service and of Redis, and
 *   where Redis spent its time (INFO commandstats).
 * - `freshness`: an ingest collector and the feature service as processes; an open-loop generator
 *   offers BENCH_FRESHNESS_RATE events/s over HTTP. One event in BENCH_SAMPLE_EVERY is followed:
 *   from its request's 202 (accepted by ingest) until its id is in a seen-id set in Redis (the id
 *   is written in the same atomic script as the event's features, so it is visible exactly when
 *   they are). Markers are polled every ~10 ms (slower only when hundreds are pending), all
 *   pending samples in one pipeline.
 * - `memory`: the real compiler and store (in this process) against a private redis-server without
 *   persistence, so `used_memory` holds nothing else. BENCH_USERS shoppers and BENCH_ITEMS items
 *   are simulated; Redis memory is then accounted per key family (key-families.ts: every key
 *   counted by SCAN, a uniform sample of each family measured with MEMORY USAGE, extrapolated and
 *   cross-checked against the `used_memory` delta), giving bytes per shopper and per item. "The
 *   bound" is measured the same way on one shopper and one item filled to every cap of bounds.ts.
 *
 * Options (environment): BENCH_MODE throughput|freshness|memory|all (all). Throughput:
 * BENCH_EVENTS (300000), BENCH_ITEMS (100000), BENCH_PROFILE_DIR (CPU profiles of the services, in either mode). Freshness: BENCH_FRESHNESS_RATE (5000),
 * BENCH_DURATION_S (30), BENCH_WARMUP_S (5), BENCH_BATCH events per request (20),
 * BENCH_SAMPLE_EVERY (50), BENCH_MAX_IN_FLIGHT (64), BENCH_FEATURE_REPLICAS (1: feature service
 * processes in one consumer group, each reported as `feature`, `feature_2`, …). Memory: BENCH_USERS (1000000), BENCH_ITEMS
 * (100000), BENCH_LOGIN_SHARE (0.3), BENCH_SAMPLE_KEYS per family (2000), BENCH_APPLY_CONCURRENCY
 * (4). BENCH_SEED (1). Prints one JSON document on stdout, progress on stderr. Runs in throwaway
 * namespaces (topics, Redis prefix, a private Redis) that it removes at the end.
 */
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  AFFINITY_MAX,
  CART_MAX,
  COVISIT_MAX,
  PURCHASED_MAX,
  SEARCHES_MAX,
  SEQUENCE_MAX,
  WINDOW_FIELDS_PER_ITEM,
  anonymousSubject,
  featureKeys,
  toItemMeta,
  userSubject,
  type ItemMeta,
} from '@recstream/features';
import { compileContext, compileEvent } from '@recstream/feature/compile';
import { SEEN_SET_TTL_S, createFeatureStore, type CompiledEvent } from '@recstream/feature/store';
import { createKafka, createProducer, parseBrokers } from '@recstream/kafka';
import { createLogger } from '@recstream/logger';
import { createRedis, type Redis } from '@recstream/redis';
import { eventPartitionKey, type ClickstreamEvent } from '@recstream/schemas';
import {
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  infra,
  startService,
  testNamespace,
  testTopics,
  type RunningService,
} from '@recstream/testing';
import { createBenchWriteKey, featureStorePid, startPrivateRedis, writeCatalog } from './bench-fixtures.js';
import { boundWorkload } from './feature-bound.js';
import { catalogItem, clickstream, enriched, itemId, seededRandom } from './feature-workload.js';
import { runOpenLoop, type LoadResult } from './http-load.js';
import {
  ITEM_FAMILIES,
  Reservoir,
  SHARED_ITEM_FAMILIES,
  SUBJECT_FAMILIES,
  TRANSIENT_FAMILIES,
  estimateFamily,
  keyFamily,
  sumFamilies,
  type FamilyEstimate,
  type KeyFamily,
} from './key-families.js';
import { histogramBuckets, seriesValue } from './metrics-text.js';
import { startSeenSampler } from './pipeline-samples.js';
import { cpuSeconds, infraPids, peakRssMiB } from './process-stats.js';
import { commandCosts, commandStats, usedMemoryOf } from './redis-info.js';
import { integerFromEnv, numberFromEnv } from './env.js';
import { reportHeader } from './report.js';
import { bucketQuantileMs, round, summarizeLatencies, timeReaching } from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODES = ['throughput', 'freshness', 'memory'] as const;
type Mode = (typeof MODES)[number];
const MIB = 2 ** 20;

function modesFromEnv(): readonly Mode[] {
  const raw = process.env['BENCH_MODE'] ?? 'all';
  if (raw === 'all') return MODES;
  if (!(MODES as readonly string[]).includes(raw))
    throw new Error(`BENCH_MODE must be one of ${[...MODES, 'all'].join('|')}, got ${raw}`);
  return [raw as Mode];
}

const progress = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(
    `[bench:features] ${message} ${Object.keys(fields).length > 0 ? JSON.stringify(fields) : ''}\n`,
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000);

const usedMemory = async (redis: Redis) => usedMemoryOf(await redis.info('memory'));
const commandSnapshot = async (redis: Redis) => commandStats(await redis.info('commandstats'));

/**
 * Events the store has applied so far, from its offset watermarks (`<topic>/<partition>` → last
 * applied offset, written atomically with each chunk of ~200 events): on a fresh topic whose
 * events are all applied, offsets 0…w of each partition are. Finer than the service's counter,
 * which moves once per Kafka batch (thousands of events).
 */
/** BENCH_PROFILE_DIR: V8 CPU profiles of the services started (open them in Chrome DevTools). */
function profileArgs(): string[] {
  const dir = process.env['BENCH_PROFILE_DIR'];
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

async function appliedEvents(redis: Redis, prefix: string): Promise<number> {
  const watermarks = await redis.hgetall(featureKeys(prefix).appliedOffsets());
  return Object.entries(watermarks)
    .filter(([field]) => !field.startsWith('first:') && !field.startsWith('fill:'))
    .reduce((sum, [, offset]) => sum + Number(offset) + 1, 0);
}

const infraDir = () => process.env['REC_INFRA_DIR'] ?? path.join(REPO_ROOT, '.local', 'infra');

// ---------------------------------------------------------------------------------------------
// throughput

async function benchThroughput(seed: number) {
  const total = integerFromEnv('BENCH_EVENTS', 300_000);
  const items = integerFromEnv('BENCH_ITEMS', 100_000);
  const ns = testNamespace('benchfeatthru');
  const prefix = ns.redisPrefix;
  await createTestTopics(ns);
  const redis = createRedis(ns.env['REC_FEATURE_REDIS_URL'] ?? '');
  await redis.connect();
  // The product's producer, logging to stderr: stdout carries the report only.
  const producer = createProducer(
    createKafka({
      brokers: parseBrokers(infra.kafkaBrokers),
      clientId: ns.id,
      logger: createLogger({ service: 'bench', level: 'warn', destination: process.stderr }),
    }),
    { timeoutMs: 30_000 },
  );
  await producer.connect();
  let feature: RunningService | undefined;
  try {
    await writeCatalog(redis, prefix, items);
    progress('throughput: catalog written; producing events', { items, events: total });

    // Event times spread over the last half hour, each received 100 ms after it happened (well
    // inside the service's lateness limit). Many shoppers browse at once, so a partition's batch
    // mixes shoppers as real traffic does (which matters: the store aggregates per chunk).
    const topic = testTopics(ns).events;
    const stream = clickstream({ seed, items, shoppers: total, loginShare: 0.3, concurrentShoppers: 5000 });
    const spanMs = 30 * 60 * 1000;
    const startMs = Date.now() - spanMs;
    const byType: Record<string, number> = {};
    let produced = 0;
    const producedAt = performance.now();
    while (produced < total) {
      const messages = [];
      for (let i = 0; i < 2000 && produced < total; i += 1) {
        const next = stream.next();
        if (next.done === true) throw new Error('the workload ended before BENCH_EVENTS');
        const eventMs = startMs + (produced * spanMs) / total;
        const event = enriched(next.value, eventMs, eventMs + 100);
        byType[event.type] = (byType[event.type] ?? 0) + 1;
        messages.push({ key: eventPartitionKey(event), value: JSON.stringify(event) });
        produced += 1;
      }
      await producer.send(topic, messages);
      if (produced % 50_000 < 2000) progress('throughput: producing', { produced });
    }
    progress('throughput: produced; starting the feature service', {
      produce_s: round((performance.now() - producedAt) / 1000),
    });

    const storePid = featureStorePid(await infraPids(infraDir()), ns.env);
    const redisCpuBefore = storePid === undefined ? undefined : await cpuSeconds(storePid);
    const memoryBefore = await usedMemory(redis);
    const commandsBefore = await commandSnapshot(redis);
    const port = randomPort();
    const started = performance.now();
    const series: [number, number][] = [[0, 0]];
    /**
     * Where the measurement starts: the first poll that saw 5 % applied once the process is
     * known (watermarks move a chunk at a time, so it may have seen more: its own count is used).
     */
    let steadyFrom: { at: number; count: number; cpu: number | undefined } | undefined;
    let polling = true;
    // Polled from before the spawn: the service may apply a good part before /readyz says so.
    const poller = (async () => {
      let lastProgress = 0;
      while (polling) {
        const consumed = await appliedEvents(redis, prefix);
        const at = performance.now() - started;
        if (consumed > (series[series.length - 1]?.[1] ?? 0)) {
          series.push([at, consumed]);
          if (steadyFrom === undefined && consumed >= total * 0.05 && feature !== undefined)
            steadyFrom = { at, count: consumed, cpu: await cpuSeconds(feature.process.pid ?? 0) };
        }
        if (at - lastProgress > 5000) {
          lastProgress = at;
          progress('throughput: applying', { elapsed_s: round(at / 1000), applied: consumed });
        }
        await sleep(20);
      }
    })();
    let pid: number;
    let cpuEnd: number | undefined;
    let metricsText: string;
    let endAt: number;
    try {
      feature = await startService({
        service: 'feature',
        port,
        env: { ...ns.env, REC_LOG_LEVEL: 'warn' },
        nodeArgs: profileArgs(),
      });
      pid = feature.process.pid ?? 0;
      const deadline = performance.now() + Math.max(300_000, total / 20);
      while ((series[series.length - 1]?.[1] ?? 0) < total) {
        if (performance.now() > deadline)
          throw new Error(`not all events applied in time:\n${feature.output()}`);
        if (feature.process.exitCode !== null)
          throw new Error(`feature service exited:\n${feature.output()}`);
        await sleep(100);
      }
      cpuEnd = await cpuSeconds(pid);
      metricsText = await (await fetch(`${feature.url}/metrics`)).text();
      endAt = performance.now() - started;
    } finally {
      polling = false;
      await poller;
    }
    // The service's own account must agree: every event applied once, none late or duplicate.
    const outcomes = Object.fromEntries(
      ['applied', 'duplicate', 'late'].map((outcome) => [
        outcome,
        seriesValue(metricsText, 'rec_feature_events_total', `outcome="${outcome}"`),
      ]),
    );
    const redisCpuAfter = storePid === undefined ? undefined : await cpuSeconds(storePid);
    const memoryAfter = await usedMemory(redis);
    const commandsAfter = await commandSnapshot(redis);
    const peakRss = await peakRssMiB(pid);

    const { at: fromAt, count: from, cpu: cpuFrom } = steadyFrom ?? { at: 0, count: 0, cpu: undefined };
    const toAt = timeReaching(series, total) ?? endAt;
    const steadyS = (toAt - fromAt) / 1000;
    if (steadyS < 10)
      progress('throughput: WARNING measured for under 10 s; raise BENCH_EVENTS for a stable rate', {
        measured_s: round(steadyS, 2),
      });
    const steadyCpu = cpuFrom === undefined || cpuEnd === undefined ? undefined : round(cpuEnd - cpuFrom, 2);
    return {
      settings: { events: total, items, by_type: byType },
      events_per_s: round((total - from) / steadyS),
      service_counted: outcomes,
      // Including start-up (process spawn, tsx, group join) and the first 5 %.
      wall_s_from_spawn: round(toAt / 1000, 1),
      measured_s: round(steadyS, 2),
      feature_process: {
        cpu_s_total: cpuEnd === undefined ? undefined : round(cpuEnd, 2),
        cpu_s_steady: steadyCpu,
        cpu_cores_steady:
          steadyCpu === undefined ? undefined : round(steadyCpu / ((endAt - fromAt) / 1000), 2),
        cpu_ms_per_1000_events:
          steadyCpu === undefined ? undefined : round((steadyCpu * 1000 * 1000) / (total - from), 1),
        peak_rss_mib: peakRss,
      },
      redis: {
        // The feature store's Redis: its CPU over the whole consumption; its memory growth (the
        // features of this run, seen-markers included).
        cpu_s:
          redisCpuBefore === undefined || redisCpuAfter === undefined
            ? undefined
            : round(redisCpuAfter - redisCpuBefore, 2),
        used_memory_growth_mib: round((memoryAfter - memoryBefore) / MIB, 1),
        // Where Redis spent its time (the apply-once script, EVALSHA, and the commands it ran);
        // a shared Redis, so other clients' commands of the moment are in it too.
        script_us_per_event: round(
          ((commandsAfter.get('evalsha')?.usec ?? 0) - (commandsBefore.get('evalsha')?.usec ?? 0)) / total,
          1,
        ),
        commands: commandCosts(commandsBefore, commandsAfter, 8),
      },
    };
  } finally {
    await feature?.stop();
    await producer.disconnect();
    redis.disconnect();
    await deleteTestTopics(ns);
    await deleteTestKeys(ns);
  }
}

// ---------------------------------------------------------------------------------------------
// freshness

async function benchFreshness(seed: number) {
  const rate = numberFromEnv('BENCH_FRESHNESS_RATE', 5000);
  const durationS = numberFromEnv('BENCH_DURATION_S', 30);
  const warmupS = numberFromEnv('BENCH_WARMUP_S', 5);
  const batch = integerFromEnv('BENCH_BATCH', 20);
  const sampleEvery = integerFromEnv('BENCH_SAMPLE_EVERY', 50);
  const maxInFlight = integerFromEnv('BENCH_MAX_IN_FLIGHT', 64);
  const items = integerFromEnv('BENCH_ITEMS', 100_000);
  const replicas = integerFromEnv('BENCH_FEATURE_REPLICAS', 1);
  const ns = testNamespace('benchfeatfresh');
  const prefix = ns.redisPrefix;
  await createTestTopics(ns);
  const redis = createRedis(ns.env['REC_FEATURE_REDIS_URL'] ?? '');
  await redis.connect();
  const services: RunningService[] = [];
  try {
    await writeCatalog(redis, prefix, items);
    const key = await createBenchWriteKey(ns.env['REC_REDIS_URL'] ?? '', prefix, rate * 10);
    const port = randomPort();
    const env = { ...ns.env, REC_LOG_LEVEL: 'warn' };
    const [collector, feature, ...moreFeature] = await Promise.all([
      startService({
        service: 'ingest',
        port,
        nodeArgs: ['--max-semi-space-size=64', ...profileArgs()],
        env: { ...env, REC_INGEST_ROLE: 'collector' },
      }),
      ...Array.from({ length: replicas }, (_, i) =>
        startService({ service: 'feature', port: port + 1 + i, env, nodeArgs: profileArgs() }),
      ),
    ]);
    if (feature === undefined) throw new Error('no feature replica started');
    services.push(collector, feature, ...moreFeature);
    progress('freshness: services ready', { rate, durationS, warmupS, batch, sampleEvery });

    const pids: Record<string, number> = {
      collector: collector.process.pid ?? 0,
      feature: feature.process.pid ?? 0,
      ...Object.fromEntries(moreFeature.map((replica, i) => [`feature_${i + 2}`, replica.process.pid ?? 0])),
      ...(await infraPids(infraDir())),
    };
    const cpuBefore: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(pids)) cpuBefore[name] = await cpuSeconds(pid);
    const scrapeFeature = async () => (await fetch(`${feature.url}/metrics`)).text();
    const freshnessBuckets = (text: string) => histogramBuckets(text, 'rec_feature_freshness_seconds');
    let serverBefore = new Map<number, number>();

    const stream = clickstream({ seed, items, shoppers: 1e9, loginShare: 0.3, concurrentShoppers: 5000 });
    const sampledBySequence = new Map<number, string>();
    const statuses: Record<string, number> = {};
    let acceptedEvents = 0;
    const started = performance.now();
    const warmupEnd = started + warmupS * 1000;
    const warmupTimer = setTimeout(() => {
      void scrapeFeature().then((text) => (serverBefore = freshnessBuckets(text)));
    }, warmupS * 1000);

    const sampler = startSeenSampler(redis, prefix);
    const reporter = setInterval(() => {
      progress('freshness: progress', {
        elapsed_s: round((performance.now() - started) / 1000),
        accepted: acceptedEvents,
        samples_visible: sampler.lags.length,
        samples_pending: sampler.pending,
      });
    }, 5000);

    let load: LoadResult;
    let loadEnd: number;
    let serverAfter: Map<number, number>;
    let notVisible: number;
    try {
      load = await runOpenLoop({
        url: new URL('/v1/events', collector.url),
        headers: { 'content-type': 'application/json', 'x-write-key': key },
        requestsPerSecond: rate / batch,
        durationMs: (warmupS + durationS) * 1000,
        maxInFlight,
        body: (sequence) => {
          const events: ClickstreamEvent[] = [];
          const timestamp = new Date().toISOString();
          for (let i = 0; i < batch; i += 1) {
            const next = stream.next();
            if (next.done === true) throw new Error('the workload ended');
            events.push({ ...next.value, timestamp });
            if ((sequence * batch + i) % sampleEvery === 0)
              sampledBySequence.set(sequence, next.value.event_id);
          }
          return JSON.stringify(events);
        },
        onResult: (sequence, status) => {
          statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
          const sampled = sampledBySequence.get(sequence);
          sampledBySequence.delete(sequence);
          if (status !== 202) return;
          acceptedEvents += batch;
          if (sampled !== undefined) sampler.accepted(sampled, performance.now() >= warmupEnd);
        },
      });
      loadEnd = performance.now();
      progress('freshness: load finished; waiting for the last samples', { pending: sampler.pending });
      const drainDeadline = performance.now() + 60_000;
      while (sampler.pending > 0 && performance.now() < drainDeadline) await sleep(50);
      serverAfter = freshnessBuckets(await scrapeFeature());
      notVisible = sampler.pending;
    } finally {
      clearTimeout(warmupTimer);
      clearInterval(reporter);
      await sampler.stop();
    }
    const endedAt = performance.now();

    const cores: Record<string, number | undefined> = {};
    const memory: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const before = cpuBefore[name];
      const after = await cpuSeconds(pid);
      cores[name] =
        before === undefined || after === undefined
          ? undefined
          : round((after - before) / ((endedAt - started) / 1000), 2);
      // The shared servers' high-water marks cover their whole lives, not this run: left out.
      if (!['redis', 'feature-store', 'kafka', 'clickhouse'].includes(name))
        memory[name] = await peakRssMiB(pid);
    }
    return {
      settings: {
        offered_events_per_s: rate,
        measured_s: durationS,
        warmup_s: warmupS,
        batch_events: batch,
        sample_every_events: sampleEvery,
        items,
      },
      http: {
        requests: load.sent,
        statuses,
        network_errors: load.failed,
        max_backlog_requests: load.maxBacklog,
        accepted_events_per_s: round(acceptedEvents / ((loadEnd - started) / 1000)),
      },
      // Accepted by ingest (the client got its 202) → the event's features readable in Redis.
      accepted_to_visible_ms: summarizeLatencies([...sampler.lags]),
      samples_not_visible_after_60_s: notVisible,
      samples_in_warmup: sampler.unmeasured,
      // The service's own histogram (received_at → applied) of what it applied after the
      // warm-up, backlog included; interpolated in coarse buckets, a cross-check only.
      service_side_ms: {
        p50: round(bucketQuantileMs(serverBefore, serverAfter, 0.5)),
        p99: round(bucketQuantileMs(serverBefore, serverAfter, 0.99)),
      },
      cpu_cores_used: cores,
      peak_rss_mib: memory,
    };
  } finally {
    for (const service of services) await service.stop();
    redis.disconnect();
    await deleteTestTopics(ns);
    await deleteTestKeys(ns);
  }
}

// ---------------------------------------------------------------------------------------------
// memory

/** MEMORY USAGE of each key (every member counted: SAMPLES 0), in one round trip. */
async function memoryUsage(redis: Redis, keys: readonly string[]): Promise<number[]> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value], i) => {
    if (error !== null) throw error;
    if (value === null) throw new Error(`key vanished while measured: ${keys[i]}`);
    return Number(value);
  });
}

/** Counts every key by family while SCANning and measures a uniform sample of each. */
async function accountKeys(redis: Redis, base: string, samplePerFamily: number, seed: number) {
  const random = seededRandom(seed);
  const reservoirs = new Map<KeyFamily, Reservoir<string>>();
  let cursor = '0';
  let scanned = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${base}:*`, 'COUNT', 5000);
    cursor = next;
    for (const key of keys) {
      const family = keyFamily(key, base);
      let reservoir = reservoirs.get(family);
      if (reservoir === undefined)
        reservoirs.set(family, (reservoir = new Reservoir(samplePerFamily, random)));
      reservoir.offer(key);
    }
    scanned += keys.length;
    if (scanned % 1_000_000 < keys.length) progress('memory: counting keys', { scanned });
  } while (cursor !== '0');
  const estimates: Partial<Record<KeyFamily, FamilyEstimate>> = {};
  for (const [family, reservoir] of reservoirs) {
    const bytes: number[] = [];
    for (let start = 0; start < reservoir.sample.length; start += 500)
      bytes.push(...(await memoryUsage(redis, reservoir.sample.slice(start, start + 500))));
    estimates[family] = estimateFamily(reservoir.count, bytes);
  }
  return { estimates, scanned };
}

/** Applies compiled events partition by partition, each partition in order, a few chunks at once. */
function createApplier(
  apply: (partition: string, events: CompiledEvent[]) => Promise<number>,
  concurrency: number,
) {
  const tails = new Map<string, Promise<unknown>>();
  const inFlight: Promise<unknown>[] = [];
  return {
    async submit(partition: string, events: CompiledEvent[]) {
      while (inFlight.length >= concurrency) await inFlight.shift();
      const run = (tails.get(partition) ?? Promise.resolve()).then(() => apply(partition, events));
      tails.set(partition, run);
      inFlight.push(run);
    },
    async drain() {
      await Promise.all(inFlight);
    },
  };
}

const PARTITIONS = 6;
function partitionOf(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i += 1) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % PARTITIONS;
}

async function benchMemory(seed: number) {
  const users = integerFromEnv('BENCH_USERS', 1_000_000);
  const items = integerFromEnv('BENCH_ITEMS', 100_000);
  const loginShare = numberFromEnv('BENCH_LOGIN_SHARE', 0.3);
  const samplePerFamily = integerFromEnv('BENCH_SAMPLE_KEYS', 2000);
  const concurrency = integerFromEnv('BENCH_APPLY_CONCURRENCY', 4);
  if (loginShare > 1) throw new Error(`BENCH_LOGIN_SHARE must be at most 1, got ${loginShare}`);
  const { url, child } = await startPrivateRedis();
  const redis = createRedis(url);
  await redis.connect();
  try {
    const prefix = testNamespace('benchfeatmem').redisPrefix;
    const base = featureKeys(prefix).all().slice(0, -2);
    const baseline = await usedMemory(redis);
    const commandsBefore = await commandSnapshot(redis);
    await writeCatalog(redis, prefix, items);
    const catalog = new Map<string, ItemMeta | undefined>();
    for (let i = 0; i < items; i += 1) catalog.set(itemId(i), toItemMeta(catalogItem(i, items)));
    const ctx = compileContext(prefix, catalog);
    progress('memory: catalog written; simulating shoppers', { users, items });

    // A week of traffic (the longest item window), in arrival order: times advance with the
    // stream, so each shopper's events are minutes apart and sessions stay within the
    // co-visitation gap. About 4.5 events per shopper (feature-workload.ts). A week compressed
    // into minutes rolls every item's window buckets over far more often than live traffic does
    // (many more HDELs), so the simulation's events/s is no throughput figure: see `throughput`.
    const expectedEvents = users * 4.5;
    const spanMs = 7 * 24 * 60 * 60 * 1000;
    const startMs = Date.now() - spanMs;
    const store = createFeatureStore(redis, prefix);
    // Fill mode on an empty store applies every event, like the live consumer, but records only
    // the ids of the last SEEN_EVENT_TTL_S (as a deployment holds), not a week of them.
    const applier = createApplier((partition, events) => store.apply(partition, events, 'fill'), concurrency);
    const buffers: CompiledEvent[][] = Array.from({ length: PARTITIONS }, () => []);
    const offsets = new Array<number>(PARTITIONS).fill(0);
    const byType: Record<string, number> = {};
    let events = 0;
    const started = performance.now();
    let lastProgress = started;
    for (const clientEvent of clickstream({
      seed,
      items,
      shoppers: users,
      loginShare,
      concurrentShoppers: 1000,
    })) {
      const timeMs = Math.min(Date.now(), startMs + (events * spanMs) / expectedEvents);
      const event = enriched(clientEvent, timeMs, timeMs);
      const partition = partitionOf(eventPartitionKey(event));
      const buffer = buffers[partition] ?? [];
      buffer.push({
        eventId: event.event_id,
        offset: String(offsets[partition]),
        receivedAtMs: timeMs,
        ops: compileEvent(ctx, event),
      });
      offsets[partition] = (offsets[partition] ?? 0) + 1;
      byType[event.type] = (byType[event.type] ?? 0) + 1;
      events += 1;
      if (buffer.length >= 1000) {
        buffers[partition] = [];
        await applier.submit(`bench/${partition}`, buffer);
      }
      if (performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        progress('memory: simulating', {
          events,
          events_per_s: round(events / ((lastProgress - started) / 1000)),
          eta_s: Math.max(
            0,
            Math.round(((expectedEvents - events) * (lastProgress - started)) / events / 1000),
          ),
          used_memory_mib: round((await usedMemory(redis)) / MIB),
        });
      }
    }
    for (const [partition, buffer] of buffers.entries())
      if (buffer.length > 0) await applier.submit(`bench/${partition}`, buffer);
    await applier.drain();
    await store.refreshCategoryTops();
    const simulatedS = (performance.now() - started) / 1000;
    const commandsAfter = await commandSnapshot(redis);
    const total = await usedMemory(redis);
    progress('memory: simulated; accounting keys', { events, simulated_s: round(simulatedS) });

    const { estimates, scanned } = await accountKeys(redis, base, samplePerFamily, seed);
    const seenIds = await countMembers(redis, `${base}:seen:*`, 'scard');
    const bytesPerSeenId = seenIds === 0 ? 0 : (estimates['seen']?.bytes ?? 0) / seenIds;
    const bytes = (family: KeyFamily) => estimates[family]?.bytes ?? 0;
    const subjectBytes = sumFamilies(estimates, SUBJECT_FAMILIES);
    const itemOwnBytes = sumFamilies(estimates, ITEM_FAMILIES);
    const itemSharedBytes = sumFamilies(estimates, SHARED_ITEM_FAMILIES);
    const allFamilies = Object.keys(estimates) as KeyFamily[];
    const accounted = sumFamilies(estimates, allFamilies);

    // Members of the shared per-item sets, for the bound's share of them.
    const keys = featureKeys(prefix);
    const popularityMembers = await redis.zcard(keys.itemPopularity());
    const perMember = (family: KeyFamily, members: number) => (members === 0 ? 0 : bytes(family) / members);
    const catMembers = await countMembers(redis, `${base}:cat:*:pop`, 'zcard');
    const sharedPerItem =
      perMember('item:pop', popularityMembers) +
      perMember('item:pop:short', await redis.zcard(keys.itemPopularityShort())) +
      perMember('item:meta', await redis.hlen(keys.itemMeta())) +
      // An item is in one top list per level of its category path.
      3 * perMember('cat:pop', catMembers);

    progress('memory: measuring the bound');
    const bound = await measureBound(redis, `${prefix}bound`, catalog, items, sharedPerItem);
    // MEMORY USAGE counts a key's value, name and dictionary entry, not its slots in the keyspace
    // and expiry tables nor allocator slack: what used_memory has beyond the accounted bytes is
    // spread over the keys evenly, so the per-shopper and per-item figures add up to used_memory.
    const keyOverhead = Math.max(0, total - baseline - accounted) / scanned;
    const keysOf = (families: readonly KeyFamily[]) =>
      families.reduce((sum, family) => sum + (estimates[family]?.keys ?? 0), 0);
    const perUser = (subjectBytes + keyOverhead * keysOf(SUBJECT_FAMILIES)) / users;
    const perItem =
      (itemOwnBytes + itemSharedBytes + keyOverhead * keysOf([...ITEM_FAMILIES, ...SHARED_ITEM_FAMILIES])) /
      items;
    return {
      settings: { users, items, login_share: loginShare, sample_keys_per_family: samplePerFamily },
      simulated: {
        events,
        events_per_user: round(events / users, 2),
        by_type: byType,
        seen_ids_recorded: seenIds,
        seconds: round(simulatedS),
        events_per_s: round(events / simulatedS),
        // This Redis ran nothing else: exact. The simulation runs the script like the service.
        redis_script_us_per_event: round((commandsAfter.get('evalsha')?.usec ?? 0) / events, 1),
        redis_commands: commandCosts(commandsBefore, commandsAfter, 8),
      },
      redis: {
        used_memory_mib: round(total / MIB),
        used_memory_delta_mib: round((total - baseline) / MIB),
        keys: scanned,
      },
      families: Object.fromEntries(
        allFamilies.sort().map((family) => {
          const estimate = estimates[family];
          return [family, { ...estimate, bytes_mib: round((estimate?.bytes ?? 0) / MIB, 2) }];
        }),
      ),
      bytes_per_user: Math.round(perUser),
      bytes_per_item: Math.round(perItem),
      keyspace_overhead_bytes_per_key: Math.round(keyOverhead),
      bytes_per_user_memory_usage_only: Math.round(subjectBytes / users),
      bytes_per_item_own_keys: Math.round(itemOwnBytes / items),
      bytes_per_item_shared_sets: Math.round(itemSharedBytes / items),
      transient: {
        // Expire 2 h after a session's last event: steady state ≈ sessions of the last 2 h.
        session_keys: estimates['sess:items']?.keys ?? 0,
        bytes_per_session: estimates['sess:items']?.bytes_per_key ?? 0,
        // Ids stay SEEN_SET_TTL_S after their bucket's last: steady state ≈ events/s × that × this.
        bytes_per_seen_id: round(bytesPerSeenId, 1),
        seen_ids_mib_per_1000_events_per_s: round((bytesPerSeenId * 1000 * SEEN_SET_TTL_S) / MIB, 1),
      },
      cross_check: {
        // MEMORY USAGE (summed over families) against used_memory's growth: below 1 by the
        // keyspace overhead above.
        accounted_mib: round(accounted / MIB),
        used_memory_delta_mib: round((total - baseline) / MIB),
        ratio: round(accounted / Math.max(1, total - baseline), 3),
        transient_mib: round(sumFamilies(estimates, TRANSIENT_FAMILIES) / MIB),
      },
      bound,
      projected_at: {
        users: 1_000_000,
        items: 100_000,
        measured_mib: round((perUser * 1_000_000 + perItem * 100_000) / MIB),
        bound_mib: round((bound.subject_bytes * 1_000_000 + bound.item_bytes * 100_000) / MIB),
      },
    };
  } finally {
    redis.disconnect();
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

/** Members of every sorted set (`zcard`) or set (`scard`) whose key matches `pattern`. */
async function countMembers(redis: Redis, pattern: string, count: 'zcard' | 'scard'): Promise<number> {
  let members = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline[count](key);
    for (const [error, count] of (await pipeline.exec()) ?? []) {
      if (error !== null) throw error;
      members += Number(count);
    }
  } while (cursor !== '0');
  return members;
}

/** One shopper and one item filled to every cap (feature-bound.ts), measured key by key. */
async function measureBound(
  redis: Redis,
  prefix: string,
  catalog: ReadonlyMap<string, ItemMeta | undefined>,
  items: number,
  sharedPerItem: number,
) {
  const workload = boundWorkload(items, Date.now());
  const ctx = compileContext(prefix, catalog);
  const store = createFeatureStore(redis, prefix);
  // Fill mode with long-received events: the features alone, no seen ids.
  await store.apply(
    'bound/0',
    workload.events.map((event, offset) => ({
      eventId: event.event_id,
      offset: String(offset),
      receivedAtMs: 0,
      ops: compileEvent(ctx, event),
    })),
    'fill',
  );
  await store.refreshCategoryTops();
  const keys = featureKeys(prefix);
  const user = userSubject(workload.userId);
  const anonymous = anonymousSubject({ anonymous_id: workload.anonymousId }) ?? '';
  const subjectKeys = {
    'sub:seq': [keys.subjectSequence(user), SEQUENCE_MAX],
    'sub:aff:cat': [keys.subjectCategoryAffinity(user), AFFINITY_MAX],
    'sub:aff:brand': [keys.subjectBrandAffinity(user), AFFINITY_MAX],
    'sub:searches': [keys.subjectSearches(user), SEARCHES_MAX],
    'sub:cart': [keys.subjectCart(user), CART_MAX],
    'sub:cart:removed': [keys.subjectCartRemovals(user), CART_MAX],
    'sub:bought': [keys.subjectPurchased(user), PURCHASED_MAX],
    alias: [keys.alias(anonymous), 1],
  } as const;
  const itemKeys = {
    'item:win': [keys.itemWindows(workload.itemId), WINDOW_FIELDS_PER_ITEM],
    'item:covis': [keys.itemCovisits(workload.itemId), COVISIT_MAX],
    'item:cobuy': [keys.itemBoughtTogether(workload.itemId), COVISIT_MAX],
  } as const;
  const measure = async (entries: Record<string, readonly [string, number]>) => {
    const names = Object.keys(entries);
    const keyNames = names.map((name) => entries[name]?.[0] ?? '');
    const sizes = await memoryUsage(redis, keyNames);
    const pipeline = redis.pipeline();
    for (const key of keyNames) pipeline.call('EVAL', MEMBERS_LUA, '1', key);
    const members = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error !== null) throw error;
      return Number(value);
    });
    return Object.fromEntries(
      names.map((name, i) => [
        name,
        { bytes: sizes[i] ?? 0, members: members[i] ?? 0, cap: entries[name]?.[1] ?? 0 },
      ]),
    );
  };
  const subject = await measure(subjectKeys);
  const item = await measure(itemKeys);
  const total = (measured: Record<string, { bytes: number }>) =>
    Object.values(measured).reduce((sum, { bytes }) => sum + bytes, 0);
  return {
    subject_bytes: total(subject),
    item_bytes: Math.round(total(item) + sharedPerItem),
    subject_keys: subject,
    item_keys: { ...item, shared_sets: { bytes: Math.round(sharedPerItem) } },
  };
}

/** Members of a key whatever its type (sorted set, hash, or 1 for a string). */
const MEMBERS_LUA = `
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'zset' then return redis.call('ZCARD', KEYS[1]) end
if t == 'hash' then return redis.call('HLEN', KEYS[1]) end
if t == 'string' then return 1 end
return 0`;

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const modes = modesFromEnv();
  const seed = integerFromEnv('BENCH_SEED', 1);
  const report: Record<string, unknown> = { ...reportHeader('features'), modes };
  for (const mode of modes) {
    progress(`${mode}: starting`);
    if (mode === 'throughput') report[mode] = await benchThroughput(seed);
    else if (mode === 'freshness') report[mode] = await benchFreshness(seed);
    else report[mode] = await benchMemory(seed);
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:features failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
