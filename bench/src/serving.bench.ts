/**
 * `pnpm bench:serving` — personalised top-20 from the real serving process under fixed request
 * rates, on this machine, with all its dependencies real: Redis holding the features of a
 * simulated shop (a 50k-item catalog, the feature service's own compiler and store applying a
 * few hundred thousand shopper events), API keys on (a read key from `serving-keys`, its rate
 * limit charged in Redis on every request) and every answer logged as an impression to Kafka.
 *
 * An open-loop generator releases GET /v1/recommendations?user_id=…&k=20 on a fixed schedule for
 * shoppers that have features; latency is measured from each request's scheduled time, so a server
 * that falls behind shows it instead of quietly lowering the rate. The generator is a lean process
 * of its own (get-load.ts): this one holds the simulated shop and the trained model, and its major
 * collections used to stall the schedule by up to 55 ms, counted as the server's latency. Per rate
 * it prints client-side p50/p99/p99.9 and errors, the load generator's own event-loop delay (its
 * stalls count as latency), the server's request histogram, the per-stage breakdown from
 * `rec_serving_stage_duration_seconds` (window quantiles, as fine as the buckets), and the
 * impression outcomes.
 *
 * Options (environment): BENCH_RATES (100,300,600 requests/s), BENCH_CLOSED_LOOP (none: client
 * counts for closed-loop phases after the rates, e.g. 1,8,32 — each client sends its next request
 * when its last one answered), BENCH_DURATION_S per phase (20),
 * BENCH_WARMUP_S (20: long enough for V8 to optimise every instance's hot paths), BENCH_ITEMS
 * (50000), BENCH_SHOPPERS (50000), BENCH_MAX_IN_FLIGHT (256), BENCH_SEED (1), BENCH_AUTH
 * (required | disabled) and BENCH_IMPRESSIONS (kafka | off) to see what keys and impression
 * logging cost, BENCH_MODEL (sequence | off: rank without a model), BENCH_TRAIN_S (60: how long
 * the model trains on the simulated shop before serving loads it; see serving-model.ts),
 * BENCH_INSTANCES (1: serving processes behind a round robin, as replicas behind a load balancer;
 * CPU is their sum), BENCH_CPU_PROFILE_DIR (the serving processes write V8 CPU profiles there when
 * they stop), BENCH_NODE_ARGS (extra Node.js flags for the serving processes, space-separated). Runs in a throwaway namespace (Redis prefix, topics) that it removes at the end.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { toItemMeta, writeCatalog, type ItemMeta } from '@recstream/features';
import { compileContext, compileEvent } from '@recstream/feature/compile';
import { createFeatureStore, type CompiledEvent } from '@recstream/feature/store';
import { createRedis, type Redis } from '@recstream/redis';
import { eventPartitionKey } from '@recstream/schemas';
import {
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  startService,
  testNamespace,
  type RunningService,
} from '@recstream/testing';
import { catalogItem, clickstream, enriched, itemId } from './feature-workload.js';
import { startGetLoadProcess, type GetLoadProcess, type GetLoadRun } from './get-load.js';
import { seriesValue } from './metrics-text.js';
import { publishBenchModel, type BenchModel } from './serving-model.js';
import { cpuSeconds, peakRssMiB } from './process-stats.js';
import { choiceFromEnv, listFromEnv, numberFromEnv } from './env.js';
import { reportHeader } from './report.js';
import { bucketQuantileMs, parseBuckets, percentile, round, type Buckets } from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STAGES = [
  'read_context',
  'read_candidates',
  'read_items',
  'blend',
  'filter',
  'rank',
  'rules',
  'diversity',
];
const PARTITIONS = 6;

const progress = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(
    `[bench:serving] ${message} ${Object.keys(fields).length > 0 ? JSON.stringify(fields) : ''}\n`,
  );

/** Catalog display fields and a week of simulated traffic through the feature service's own writer. */
async function loadFeatures(redis: Redis, prefix: string, items: number, shoppers: number, seed: number) {
  const catalog = new Map<string, ItemMeta | undefined>();
  const indexOf = new Map<string, number>();
  // Through the feature service's own catalog writer (versioned, as serving expects).
  for (let start = 0; start < items; start += 5000) {
    const chunk: ItemMeta[] = [];
    for (let i = start; i < Math.min(items, start + 5000); i += 1) {
      const meta = toItemMeta(catalogItem(i, items));
      catalog.set(itemId(i), meta);
      indexOf.set(itemId(i), i);
      chunk.push(meta);
    }
    await writeCatalog(redis, prefix, chunk);
  }
  const ctx = compileContext(prefix, catalog);
  const store = createFeatureStore(redis, prefix);
  const buffers: CompiledEvent[][] = Array.from({ length: PARTITIONS }, () => []);
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const shopperIds = new Set<string>();
  // What the model learns from: each shopper's viewed, clicked, carted and bought items, in order.
  const sequences = new Map<string, number[]>();
  const interacted = (shopper: string, item: string) => {
    const index = indexOf.get(item);
    if (index === undefined) return;
    const sequence = sequences.get(shopper) ?? [];
    sequence.push(index);
    sequences.set(shopper, sequence);
  };
  const spanMs = 7 * 24 * 3600 * 1000;
  const expectedEvents = shoppers * 4.5;
  const startMs = Date.now() - spanMs;
  let events = 0;
  const flush = async (partition: number) => {
    const buffer = buffers[partition] ?? [];
    buffers[partition] = [];
    if (buffer.length > 0) await store.apply(`bench/${partition}`, buffer, 'fill');
  };
  for (const clientEvent of clickstream({
    seed,
    items,
    shoppers,
    loginShare: 0.3,
    concurrentShoppers: 1000,
  })) {
    const timeMs = Math.min(Date.now() - 1000, startMs + (events * spanMs) / expectedEvents);
    const event = enriched(clientEvent, timeMs, timeMs);
    const key = eventPartitionKey(event);
    if (event.user_id !== undefined) shopperIds.add(event.user_id);
    const shopper = event.anonymous_id ?? key;
    if (event.type === 'view' || event.type === 'click' || event.type === 'add_to_cart')
      interacted(shopper, event.item_id);
    else if (event.type === 'purchase') for (const line of event.items) interacted(shopper, line.item_id);
    let hash = 0;
    for (let i = 0; i < key.length; i += 1) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
    const partition = Math.abs(hash) % PARTITIONS;
    (buffers[partition] ??= []).push({
      eventId: event.event_id,
      offset: String(offsets[partition] ?? 0),
      receivedAtMs: timeMs,
      ops: compileEvent(ctx, event),
    });
    offsets[partition] = (offsets[partition] ?? 0) + 1;
    events += 1;
    if ((buffers[partition]?.length ?? 0) >= 1000) await flush(partition);
    if (events % 50_000 === 0) progress('loading features', { events });
  }
  for (let p = 0; p < PARTITIONS; p += 1) await flush(p);
  await store.refreshCategoryTops();
  return { events, shopperIds: [...shopperIds], sequences, itemIds: [...indexOf.keys()] };
}

function stageBuckets(exposition: string): Map<string, Buckets> {
  return new Map(
    STAGES.map((stage) => [
      stage,
      parseBuckets(exposition, 'rec_serving_stage_duration_seconds', `stage="${stage}"`),
    ]),
  );
}

async function main(): Promise<void> {
  const rates = listFromEnv('BENCH_RATES', '100,300,600');
  const closedLoops = listFromEnv('BENCH_CLOSED_LOOP', '', { integers: true });
  const durationMs = numberFromEnv('BENCH_DURATION_S', 20) * 1000;
  const warmupMs = numberFromEnv('BENCH_WARMUP_S', 20) * 1000;
  const items = numberFromEnv('BENCH_ITEMS', 50_000);
  const shoppers = numberFromEnv('BENCH_SHOPPERS', 50_000);
  const maxInFlight = numberFromEnv('BENCH_MAX_IN_FLIGHT', 256);
  const seed = numberFromEnv('BENCH_SEED', 1);
  const auth = choiceFromEnv('BENCH_AUTH', ['required', 'disabled'] as const);
  const impressions = choiceFromEnv('BENCH_IMPRESSIONS', ['kafka', 'off'] as const);
  const modelChoice = choiceFromEnv('BENCH_MODEL', ['sequence', 'off'] as const);
  const trainMs = numberFromEnv('BENCH_TRAIN_S', 60) * 1000;
  const instances = numberFromEnv('BENCH_INSTANCES', 1);
  const ns = testNamespace('benchserving');
  const redis = createRedis(ns.env['REC_FEATURE_REDIS_URL'] ?? '');
  await redis.connect();
  const servings: RunningService[] = [];
  let load: GetLoadProcess | undefined;
  let model: BenchModel | undefined;
  try {
    await createTestTopics(ns);
    const loadStarted = performance.now();
    const { events, shopperIds, sequences, itemIds } = await loadFeatures(
      redis,
      ns.redisPrefix,
      items,
      shoppers,
      seed,
    );
    progress('features loaded', {
      events,
      shoppers_with_user_id: shopperIds.length,
      s: round((performance.now() - loadStarted) / 1000),
    });
    if (shopperIds.length === 0) throw new Error('the simulated shop has no logged-in shoppers to ask for');

    if (modelChoice === 'sequence') {
      progress('training the model', { train_s: trainMs / 1000 });
      model = await publishBenchModel({
        sequences,
        itemIds,
        seed,
        trainMs,
        onProgress: (fields) => progress('training the model', fields),
      });
    }
    const env = {
      ...ns.env,
      REC_SERVING_AUTH: auth,
      REC_SERVING_IMPRESSIONS: impressions,
      REC_LOG_LEVEL: 'warn',
      ...(model === undefined
        ? {}
        : { REC_SERVING_MODEL_DIR: model.registryDir, REC_SERVING_MODEL_NAME: model.model }),
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'services/serving/src/cli/serving-keys.ts',
        'create',
        '--name',
        'bench',
        '--rate',
        '100000',
        '--json',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, ...env } },
    );
    const key = (JSON.parse(stdout) as { key: string }).key;
    const profileDir = process.env['BENCH_CPU_PROFILE_DIR'];
    // As `pnpm --filter @recstream/serving start` runs it: a larger young generation, because a
    // request allocates many short-lived objects and scavenges took ~7% of the CPU otherwise; and
    // an old generation let grow to 4× what it holds after a major collection before the next
    // (V8 chose ~1.5× once requests promoted less), so one comes every minute or so under load
    // instead of every 5–10 s: each doubles the tail of the requests it overlaps.
    const nodeArgs = [
      '--max-semi-space-size=64',
      '--heap-growing-percent=300',
      ...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== ''),
    ];
    // Instances start one after the other: each builds its model's index on every core.
    for (let i = 0; i < instances; i += 1)
      servings.push(
        await startService({
          service: 'serving',
          env,
          // Ready once its model's index is built: minutes for a 500k-item catalog.
          readyTimeoutMs: 20 * 60_000,
          nodeArgs: [
            ...nodeArgs,
            ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
          ],
        }),
      );
    // Random shoppers, round robin over the instances as a load balancer in front of replicas
    // would, from a process of its own (get-load.ts).
    const generator = await startGetLoadProcess({
      bases: servings.map((s) => s.url),
      shopperIds,
      k: 20,
      seed: seed + 1,
      headers: { authorization: `Bearer ${key}` },
    });
    load = generator;
    // Every instance's exposition, joined: the bench's readers sum a series over them.
    const scrape = async () =>
      (await Promise.all(servings.map(async (s) => (await fetch(`${s.url}/metrics`)).text()))).join('\n');
    const cpuOfServing = async () => {
      const each = await Promise.all(servings.map((s) => cpuSeconds(s.process.pid ?? 0)));
      return each.some((c) => c === undefined) ? undefined : each.reduce<number>((a, c) => a + (c ?? 0), 0);
    };
    progress('serving ready; warming up', { warmup_s: warmupMs / 1000 });
    await generator.run({ mode: 'open', rate: rates[0] ?? 100, durationMs: warmupMs, maxInFlight });

    const results = [];
    /** One phase of load: what the client saw, the server's histograms and stages, CPU. */
    const measure = async (run: GetLoadRun) => {
      const before = await scrape();
      const cpuBefore = await cpuOfServing();
      const result = await generator.run(run);
      const cpuAfter = await cpuOfServing();
      const after = await scrape();
      const sorted = [...result.latencies].sort((a, b) => a - b);
      const ok = result.statuses['200'] ?? 0;
      const stagesBefore = stageBuckets(before);
      const stagesAfter = stageBuckets(after);
      const routeLabels = 'method="GET",route="/v1/recommendations",status="200"';
      const serverBefore = parseBuckets(before, 'rec_serving_http_request_duration_seconds', routeLabels);
      const serverAfter = parseBuckets(after, 'rec_serving_http_request_duration_seconds', routeLabels);
      const delta = (metric: string, labels: string) =>
        seriesValue(after, metric, labels) - seriesValue(before, metric, labels);
      return {
        sent: result.sent,
        achieved_rps: round(ok / (result.elapsedMs / 1000)),
        ok,
        errors: result.sent - ok,
        statuses: result.statuses,
        max_backlog: result.maxBacklog,
        latency_ms: {
          p50: round(percentile(sorted, 50), 2),
          p99: round(percentile(sorted, 99), 2),
          p99_9: round(percentile(sorted, 99.9), 2),
          max: round(sorted[sorted.length - 1] ?? 0, 2),
        },
        server_latency_ms: {
          p50: round(bucketQuantileMs(serverBefore, serverAfter, 0.5), 2),
          p99: round(bucketQuantileMs(serverBefore, serverAfter, 0.99), 2),
        },
        // The load process's own stalls delay requests past their due time and so count as
        // latency: reported, so a tail can be told from the server's.
        load_generator_event_loop_delay_ms: {
          p99: round(result.loopDelayMs.p99, 2),
          max: round(result.loopDelayMs.max, 2),
        },
        stages_ms: Object.fromEntries(
          STAGES.map((stage) => {
            const from = stagesBefore.get(stage) ?? new Map();
            const to = stagesAfter.get(stage) ?? new Map();
            return [
              stage,
              {
                p50: round(bucketQuantileMs(from, to, 0.5), 3),
                p99: round(bucketQuantileMs(from, to, 0.99), 3),
              },
            ];
          }),
        ),
        degraded:
          delta('rec_serving_degraded_total', 'reason="feature_store_timeout"') +
          delta('rec_serving_degraded_total', 'reason="feature_store_unavailable"'),
        impressions: Object.fromEntries(
          ['produced', 'failed', 'dropped', 'skipped_no_shopper', 'skipped_empty', 'invalid'].map(
            (outcome) => [outcome, delta('rec_serving_impressions_total', `outcome="${outcome}"`)],
          ),
        ),
        serving_cpu_percent:
          cpuAfter === undefined || cpuBefore === undefined
            ? null
            : round(((cpuAfter - cpuBefore) / (result.elapsedMs / 1000)) * 100),
      };
    };
    for (const rate of rates) {
      progress('measuring', { rate, duration_s: durationMs / 1000 });
      results.push({
        offered_rps: rate,
        ...(await measure({ mode: 'open', rate, durationMs, maxInFlight })),
      });
    }
    const closed: Record<string, unknown>[] = [];
    for (const connections of closedLoops) {
      progress('measuring, closed loop', { connections, duration_s: durationMs / 1000 });
      closed.push({
        connections,
        ...(await measure({ mode: 'closed', connections, durationMs })),
      });
    }
    const report = {
      ...reportHeader('serving'),
      setup: {
        items,
        shoppers,
        events_loaded: events,
        k: 20,
        auth,
        impressions,
        instances,
        model:
          model === undefined
            ? null
            : { name: model.model, sequences: model.sequences, train_s: round(model.trainMs / 1000) },
        duration_s: durationMs / 1000,
        max_in_flight: maxInFlight,
      },
      rates: results,
      closed_loop: closed,
      model_index_recall_at_20:
        model === undefined
          ? null
          : seriesValue(await scrape(), 'rec_serving_model_index_recall', `model="${model.model}"`) /
            instances,
      serving_peak_rss_mib: await Promise.all(servings.map((s) => peakRssMiB(s.process.pid ?? 0))),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await load?.stop();
    for (const serving of servings) await serving.stop();
    await model?.remove();
    redis.disconnect();
    await deleteTestKeys(ns);
    await deleteTestTopics(ns);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:serving failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
