/**
 * `pnpm bench:online` — online learning on a real dataset replayed in time order, printing one
 * JSON document with two parts (progress on stderr):
 *
 * `prequential_in_process` — the trainer's incremental step (`updateSequenceModel`) called in
 *   process, no I/O: an initial model trained on the first BENCH_PREFIX_FRACTION of the dataset
 *   (time order), then every later event is scored (HR@10 / NDCG@10, full catalogue) by the live
 *   online model before it learns it, and by the same initial model frozen. The online arm learns
 *   every BENCH_UPDATE_EVERY_EVENTS events (or BENCH_UPDATE_EVERY_MIN minutes of event time). Per
 *   tenth of the stream and overall, with a paired bootstrap interval of online − frozen.
 *
 * `pipeline` — the real thing: the collector and the ClickHouse sink as processes, the trainer as
 *   a process (BullMQ jobs, its new-events trigger, guardrail, registry). A prefix of the dataset
 *   is ingested and the trainer's full training learns it; then the next BENCH_EVENTS events are
 *   replayed through the collector at BENCH_RATE events/s. Measured: freshness of learning (event
 *   accepted by the collector → a live version whose watermark covers it) p50/p99, incremental
 *   update throughput (events learned per second of job, from BullMQ's job records), the
 *   trainer's peak RSS, and the prequential comparison of the versions live at each event's
 *   acceptance against the initial version.
 *
 * Options (environment):
 *   BENCH_DATASET amazon-beauty | ml-100k (default amazon-beauty); BENCH_DATASET_DIR (default
 *   ../shared/datasets/<folder> from the repository root); BENCH_PART all | prequential | pipeline;
 *   BENCH_SEED (42).
 *   In process: BENCH_PREFIX_FRACTION (0.5), BENCH_STREAM_EVENTS (all the rest), BENCH_INITIAL_EPOCHS
 *   (20), BENCH_UPDATE_EVERY_EVENTS (2000), BENCH_UPDATE_EVERY_MIN (off), BENCH_EPOCHS (2, as
 *   REC_TRAIN_EPOCHS), BENCH_REPLAY_USERS (256, as REC_TRAIN_REPLAY_USERS), BENCH_WINDOWS (10),
 *   BENCH_RESAMPLES (1000).
 *   Pipeline: BENCH_PIPELINE_PREFIX (20000 events), BENCH_EVENTS (6000), BENCH_RATE (25 events/s),
 *   BENCH_BATCH (events per request, 25), BENCH_TRIGGER_EVENTS (1000, REC_TRAIN_INCREMENTAL_AFTER_EVENTS),
 *   BENCH_SCHEDULE_S (60, REC_TRAIN_INCREMENTAL_EVERY_MS), BENCH_PIPELINE_INITIAL_EPOCHS (10),
 *   BENCH_DRAIN_S (180: how long to wait after the replay for the last events to be learned),
 *   BENCH_GUARDRAIL_MIN_CASES (50, as REC_GUARDRAIL_MIN_CASES: an update whose held-out share has
 *   fewer cases is held, not published, so the trigger must leave enough of them).
 * The default pipeline run replays the start of the stream (~8 min). From the middle of Beauty's
 * stream, where the in-process arm shows the gain (~12 min): BENCH_PIPELINE_PREFIX=99251
 * BENCH_EVENTS=30000 BENCH_RATE=100 BENCH_TRIGGER_EVENTS=2000 BENCH_PIPELINE_INITIAL_EPOCHS=20. MovieLens
 * 100K from its middle (~9 min): BENCH_DATASET=ml-100k BENCH_PIPELINE_PREFIX=50000 BENCH_EVENTS=10000
 * BENCH_RATE=50 BENCH_TRIGGER_EVENTS=1000 BENCH_PIPELINE_INITIAL_EPOCHS=20.
 * The pipeline runs in a throwaway namespace (topics, database, Redis prefix, registry directory)
 * that it removes at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createWriteKeyStore } from '@recstream/ingest/auth';
import {
  eventPositions,
  learningDelays,
  LiveVersionTimeline,
  prequentialCases,
  prequentialReport,
  type PrequentialReport,
  runPrequential,
  onlineVersusFrozen,
  registryVersions,
  sendBatch,
  type StreamEvent,
  trainInitialModel,
  waitForStored,
} from '@recstream/lab';
import { loadTensorFlow } from '@recstream/models';
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
import {
  defaultDatasetPath,
  isDatasetName,
  loadDataset,
  type DatasetName,
  type ReplayDataset,
} from '@recstream/traffic';
import { createModelRegistry } from '@recstream/model-registry';
import { peakRssMiB } from './process-stats.js';
import { reportHeader } from './report.js';
import { round, summarizeLatencies } from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL = 'sasrec';
/** The trainer's full-training architecture (its config defaults), for the in-process initial model. */
const TRAINER_HYPER = {
  hiddenDim: 64,
  maxLength: 50,
  blocks: 2,
  negatives: 512,
  useAttributes: false,
} as const;

function numberFromEnv(name: string, fallback: number, integer = true): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  return value;
}

function optionalNumberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : numberFromEnv(name, 1, false);
}

const progress = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(
    `[bench:online] ${message} ${Object.keys(fields).length > 0 ? JSON.stringify(fields) : ''}\n`,
  );

interface ReplayedEvent extends StreamEvent {
  readonly eventId: string;
  /** The event as the collector takes it. */
  readonly body: unknown;
}

/** The dataset's interactions (views) in time order, as the replay tool sends them. */
async function datasetEvents(
  name: DatasetName,
  dir: string,
): Promise<{ dataset: ReplayDataset; events: ReplayedEvent[] }> {
  // cartMinRating undefined: MovieLens ratings are views only, one interaction per rating.
  const dataset = await loadDataset(name, dir, { now: new Date(), cartMinRating: undefined });
  const events: ReplayedEvent[] = [];
  for (const { event, originalTsMs } of dataset.events()) {
    if (event.type !== 'view' || event.user_id === undefined) continue;
    events.push({
      eventId: event.event_id,
      user: event.user_id,
      item: event.item_id,
      timeMs: originalTsMs,
      body: event,
    });
  }
  return { dataset, events };
}

function summariseReport(report: PrequentialReport) {
  const arms = (c: PrequentialReport['overall']) => ({
    cases: c.cases,
    online: { hr10: round(c.online.hr, 4), ndcg10: round(c.online.ndcg, 4) },
    frozen: { hr10: round(c.frozen.hr, 4), ndcg10: round(c.frozen.ndcg, 4) },
    difference: {
      hr10: [round(c.difference.hr.mean, 4), round(c.difference.hr.low, 4), round(c.difference.hr.high, 4)],
      ndcg10: [
        round(c.difference.ndcg.mean, 4),
        round(c.difference.ndcg.low, 4),
        round(c.difference.ndcg.high, 4),
      ],
    },
    verdict: c.verdict,
  });
  return {
    note: `difference = online − frozen as [mean, low, high], ${report.confidence * 100}% paired bootstrap (${report.bootstrapResamples} resamples)`,
    overall: arms(report.overall),
    new_items: report.newItems === undefined ? null : arms(report.newItems),
    windows: report.windows.map((w) => ({ window: w.window, stream_events: [w.from, w.to], ...arms(w) })),
  };
}

async function prequentialInProcess(events: readonly ReplayedEvent[], seed: number) {
  const prefixFraction = numberFromEnv('BENCH_PREFIX_FRACTION', 0.5, false);
  if (prefixFraction >= 1) throw new Error(`BENCH_PREFIX_FRACTION must be below 1, got ${prefixFraction}`);
  const split = Math.floor(events.length * prefixFraction);
  const prefix = events.slice(0, split);
  const stream = events.slice(split, split + numberFromEnv('BENCH_STREAM_EVENTS', events.length));
  const initialEpochs = numberFromEnv('BENCH_INITIAL_EPOCHS', 20);
  const everyEvents = numberFromEnv('BENCH_UPDATE_EVERY_EVENTS', 2000);
  const everyMinutes = optionalNumberFromEnv('BENCH_UPDATE_EVERY_MIN');
  const epochs = numberFromEnv('BENCH_EPOCHS', 2);
  const replayUsers = numberFromEnv('BENCH_REPLAY_USERS', 256);
  const settings = {
    prefix_events: prefix.length,
    stream_events: stream.length,
    initial: { ...TRAINER_HYPER, epochs: initialEpochs },
    cadence: { every_events: everyEvents, every_minutes_of_event_time: everyMinutes ?? null },
    update: { epochs, replay_users: replayUsers },
  };
  progress('in-process prequential: training the initial model', settings);
  const tf = loadTensorFlow();
  const trainStarted = performance.now();
  const initial = await trainInitialModel(prefix, {
    tf,
    hyper: { ...TRAINER_HYPER, maxEpochs: initialEpochs },
    seed,
  });
  const initialTrainS = (performance.now() - trainStarted) / 1000;
  progress('initial model trained', { seconds: round(initialTrainS), items: initial.itemIds.length });
  try {
    const started = performance.now();
    let lastReport = 0;
    const result = await runPrequential(
      { tf, initial: initial.model, itemIds: initial.itemIds, prefix, stream },
      {
        cadence: { everyEvents, everyMs: everyMinutes === undefined ? undefined : everyMinutes * 60_000 },
        epochs,
        replayUsers,
        seed,
        onProgress: (done, total, updates) => {
          if (performance.now() - lastReport < 10_000 && done < total) return;
          lastReport = performance.now();
          progress('replaying', {
            done,
            total,
            updates,
            elapsed_s: round((performance.now() - started) / 1000),
          });
        },
      },
    );
    const replayS = (performance.now() - started) / 1000;
    const learned = result.updates.reduce((sum, u) => sum + u.events, 0);
    const trainMs = result.updates.reduce((sum, u) => sum + u.trainMs, 0);
    const report = prequentialReport(
      result,
      result.cases.map((c) => c.position),
      result.streamEvents,
      {
        windows: numberFromEnv('BENCH_WINDOWS', 10),
        resamples: numberFromEnv('BENCH_RESAMPLES', 1000),
        confidence: 0.95,
        seed,
      },
    );
    return {
      what: 'in process: the trainer incremental step called directly, no ingest/Kafka/ClickHouse, no guardrail',
      settings,
      initial_training_s: round(initialTrainS),
      replay_s: round(replayS),
      updates: result.updates.length,
      new_items_admitted: result.updates.reduce((sum, u) => sum + u.newItems, 0),
      learn_events_per_s: trainMs === 0 ? 0 : round((learned * 1000) / trainMs),
      peak_rss_mib: round(process.resourceUsage().maxRSS / 1024),
      ...summariseReport(report),
    };
  } finally {
    initial.model.dispose();
  }
}

/** Incremental jobs BullMQ kept (the last 200 completed): their wall time and events learned. */
async function incrementalJobs(redisUrl: string, prefix: string) {
  const redis = createRedis(redisUrl);
  await redis.connect();
  try {
    const jobs: { events: number; ms: number; outcome: string }[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:bull:trainer:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if ((await redis.type(key)) !== 'hash') continue;
        const job = await redis.hgetall(key);
        if (job['name'] !== 'incremental-update' || job['finishedOn'] === undefined) continue;
        const value = JSON.parse(job['returnvalue'] ?? 'null') as {
          outcome?: string;
          events?: number;
        } | null;
        jobs.push({
          events: value?.events ?? 0,
          ms: Number(job['finishedOn']) - Number(job['processedOn']),
          outcome: value?.outcome ?? 'unknown',
        });
      }
    } while (cursor !== '0');
    return jobs;
  } finally {
    redis.disconnect();
  }
}

async function pipeline(events: readonly ReplayedEvent[], seed: number) {
  const prefixCount = numberFromEnv('BENCH_PIPELINE_PREFIX', 20_000);
  const suffixCount = numberFromEnv('BENCH_EVENTS', 6000);
  const rate = numberFromEnv('BENCH_RATE', 25, false);
  const batch = numberFromEnv('BENCH_BATCH', 25);
  const triggerEvents = numberFromEnv('BENCH_TRIGGER_EVENTS', 1000);
  const scheduleS = numberFromEnv('BENCH_SCHEDULE_S', 60);
  const initialEpochs = numberFromEnv('BENCH_PIPELINE_INITIAL_EPOCHS', 10);
  const drainS = numberFromEnv('BENCH_DRAIN_S', 180);
  const minCases = numberFromEnv('BENCH_GUARDRAIL_MIN_CASES', 50);
  if (prefixCount + suffixCount > events.length)
    throw new Error(`the dataset has ${events.length} events, fewer than ${prefixCount} + ${suffixCount}`);
  const prefix = events.slice(0, prefixCount);
  const suffix = events.slice(prefixCount, prefixCount + suffixCount);
  const settings = {
    prefix_events: prefixCount,
    replayed_events: suffixCount,
    rate_events_per_s: rate,
    batch,
    trainer: {
      REC_TRAIN_INCREMENTAL_AFTER_EVENTS: triggerEvents,
      REC_TRAIN_INCREMENTAL_EVERY_MS: scheduleS * 1000,
      REC_TRAIN_FULL_MAX_EPOCHS: initialEpochs,
      REC_GUARDRAIL_MIN_CASES: minCases,
      other:
        'trainer defaults (REC_TRAIN_EPOCHS 2, REC_TRAIN_REPLAY_USERS 256, holdout 10%, guardrail tolerance 0.01)',
    },
  };

  const ns = testNamespace('benchonline');
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const registryDir = await mkdtemp(path.join(tmpdir(), `${ns.id}-models-`));
  const redis = createRedis(ns.env['REC_REDIS_URL'] ?? '');
  await redis.connect();
  const { key } = await createWriteKeyStore(redis, ns.redisPrefix).create({
    source: 'bench-online',
    limit: { ratePerSecond: 100_000, burst: 100_000 },
  });
  redis.disconnect();
  const services: RunningService[] = [];
  const registry = createModelRegistry(registryDir);
  const timeline = new LiveVersionTimeline(registry, MODEL);
  try {
    const env = { ...ns.env, REC_LOG_LEVEL: 'warn' };
    const [collector, sink] = await Promise.all([
      startService({ service: 'ingest', env: { ...env, REC_INGEST_ROLE: 'collector' } }),
      startService({ service: 'ingest', env: { ...env, REC_INGEST_ROLE: 'sink' } }),
    ]);
    services.push(collector, sink);
    const send = (part: readonly ReplayedEvent[]) =>
      sendBatch(
        collector.url,
        key,
        part.map((e) => e.body),
      );

    progress('pipeline: ingesting the prefix', settings);
    for (let start = 0; start < prefix.length; start += 500) await send(prefix.slice(start, start + 500));
    await waitForStored(clickhouse, prefix.length, 120_000);

    const trainer = await startService({
      service: 'trainer',
      env: {
        ...env,
        REC_MODEL_REGISTRY_DIR: registryDir,
        REC_MODEL_REGISTRY_KEEP: '1000',
        REC_TRAIN_INCREMENTAL_AFTER_EVENTS: String(triggerEvents),
        REC_TRAIN_TRIGGER_POLL_MS: '1000',
        REC_TRAIN_INCREMENTAL_EVERY_MS: String(scheduleS * 1000),
        REC_TRAIN_FULL_EVERY_MS: '0',
        REC_TRAIN_EVALUATE_EVERY_MS: '0',
        REC_TRAIN_POPULARITY_EVERY_MS: String(3600_000),
        REC_TRAIN_FULL_MAX_EPOCHS: String(initialEpochs),
        REC_TRAIN_SEED: String(seed),
        REC_GUARDRAIL_MIN_CASES: String(minCases),
      },
    });
    services.push(trainer);
    timeline.start(250);
    const fullStarted = performance.now();
    while (timeline.changes.length === 0) {
      if (trainer.process.exitCode !== null) throw new Error(`the trainer exited:\n${trainer.output()}`);
      if (performance.now() - fullStarted > 15 * 60_000) throw new Error('no live version after 15 minutes');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const initialVersion = timeline.changes[0]?.version ?? '';
    const initialS = (performance.now() - fullStarted) / 1000;
    progress('initial version live', { version: initialVersion, seconds: round(initialS) });

    // The replay: batches at the offered rate (open loop, catching up when a batch was slow).
    const acceptedAt: number[] = [];
    const liveAtSend: string[] = [];
    const latencies: number[] = [];
    const replayStarted = performance.now();
    let lastReport = performance.now();
    for (let start = 0; start < suffix.length; start += batch) {
      const dueMs = (start / rate) * 1000;
      const waitMs = dueMs - (performance.now() - replayStarted);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const part = suffix.slice(start, start + batch);
      const live = timeline.liveAt(Date.now())?.version ?? initialVersion;
      const accepted = await send(part);
      latencies.push(accepted.latencyMs);
      for (const _event of part) {
        acceptedAt.push(accepted.acceptedAtMs);
        liveAtSend.push(live);
      }
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        progress('replaying', {
          sent: start + part.length,
          of: suffix.length,
          versions_live: timeline.changes.length,
        });
      }
    }
    const replayS = (performance.now() - replayStarted) / 1000;

    // Drain: wait for the last events to be learned by a live version (or the deadline).
    await waitForStored(clickhouse, prefix.length + suffix.length, 120_000);
    const positions = await eventPositions(
      clickhouse,
      suffix.map((e) => e.eventId),
    );
    const delaysNow = () =>
      learningDelays(
        suffix.map((e, i) => ({ acceptedAtMs: acceptedAt[i] ?? 0, position: positions.get(e.eventId) })),
        timeline.changes,
      );
    const drainStarted = performance.now();
    while (delaysNow().some((d) => d === undefined) && performance.now() - drainStarted < drainS * 1000)
      await new Promise((resolve) => setTimeout(resolve, 1000));
    await timeline.stop();
    const delays = delaysNow();
    const learned = delays.filter((d): d is number => d !== undefined);
    const trainerPeak = await peakRssMiB(trainer.process.pid ?? 0);
    const collectorPeak = await peakRssMiB(collector.process.pid ?? 0);
    const sinkPeak = await peakRssMiB(sink.process.pid ?? 0);
    const jobs = await incrementalJobs(ns.env['REC_REDIS_URL'] ?? '', ns.redisPrefix);
    const learningJobs = jobs.filter((j) => j.events > 0);
    const jobEvents = learningJobs.reduce((sum, j) => sum + j.events, 0);
    const jobMs = learningJobs.reduce((sum, j) => sum + j.ms, 0);
    const outcomes: Record<string, number> = {};
    for (const job of jobs) outcomes[job.outcome] = (outcomes[job.outcome] ?? 0) + 1;
    // Every guardrail decision, as the trainer recorded it: why versions did or did not go live.
    const decisions = await clickhouse.query<{ action: string; n: string; reason: string }>(
      `SELECT action, count() AS n, any(reason) AS reason FROM model_decisions GROUP BY action ORDER BY action`,
    );
    progress('replay learned', { learned: learned.length, of: suffix.length, jobs: jobs.length });

    // Prequential through the pipeline: each event by the version live when it was sent.
    const maxLength = TRAINER_HYPER.maxLength;
    const cases = prequentialCases(prefix, suffix, maxLength);
    const tf = loadTensorFlow();
    const report = await onlineVersusFrozen(
      cases,
      {
        online: (c) => liveAtSend[c.position] ?? initialVersion,
        frozen: initialVersion,
        load: registryVersions(registry, MODEL, tf),
      },
      10,
      suffix.length,
      {
        windows: numberFromEnv('BENCH_WINDOWS', 10),
        resamples: numberFromEnv('BENCH_RESAMPLES', 1000),
        confidence: 0.95,
        seed,
      },
    );
    return {
      what: 'through the pipeline: collector → Kafka → ClickHouse sink → trainer process (BullMQ jobs, guardrail, registry)',
      settings,
      initial_version_s: round(initialS),
      replay_s: round(replayS),
      ingest_batch_latency: summarizeLatencies(latencies),
      versions_live: timeline.changes.length,
      freshness_of_learning: {
        note: 'event accepted by the collector → first live version whose watermark covers it',
        learned: learned.length,
        not_learned_by_a_live_version: delays.length - learned.length,
        ...summarizeLatencies(learned),
      },
      incremental_jobs: {
        jobs: jobs.length,
        outcomes,
        events_learned: jobEvents,
        events_per_s_of_job: jobMs === 0 ? 0 : round((jobEvents * 1000) / jobMs),
        mean_job_s: learningJobs.length === 0 ? 0 : round(jobMs / learningJobs.length / 1000),
      },
      guardrail_decisions: decisions.map((d) => ({
        action: d.action,
        count: Number(d.n),
        example_reason: d.reason,
      })),
      peak_rss_mib: { trainer: trainerPeak, collector: collectorPeak, sink: sinkPeak },
      prequential: summariseReport(report),
    };
  } finally {
    await timeline.stop();
    for (const service of services.reverse()) await service.stop();
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
    await deleteTestKeys(ns);
    await rm(registryDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const name = process.env['BENCH_DATASET'] ?? 'amazon-beauty';
  if (!isDatasetName(name) || (name !== 'amazon-beauty' && name !== 'ml-100k'))
    throw new Error(`BENCH_DATASET must be amazon-beauty or ml-100k, got ${name}`);
  const part = process.env['BENCH_PART'] ?? 'all';
  if (!['all', 'prequential', 'pipeline'].includes(part))
    throw new Error(`BENCH_PART must be all, prequential or pipeline, got ${part}`);
  const seed = numberFromEnv('BENCH_SEED', 42);
  const dir =
    process.env['BENCH_DATASET_DIR'] ??
    defaultDatasetPath(path.join(REPO_ROOT, '..', 'shared', 'datasets'), name);
  const { dataset, events } = await datasetEvents(name, dir);
  progress('dataset loaded', { dataset: name, events: events.length, items: dataset.items.length });

  const report = {
    ...reportHeader('online'),
    dataset: { name, file: dataset.file, events: events.length, items: dataset.items.length },
    ...(part === 'pipeline' ? {} : { prequential_in_process: await prequentialInProcess(events, seed) }),
    ...(part === 'prequential' ? {} : { pipeline: await pipeline(events, seed) }),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:online failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
