/**
 * Prequential evaluation through the real pipeline: shoppers' events go through the collector
 * (HTTP, write key) → Kafka → the ClickHouse sink, the trainer's own jobs learn them from
 * ClickHouse beyond their watermark, and each event is scored by the version that was live when
 * it was accepted — before anything could have learned it. After the initial training the shop
 * moves to new items: the frozen initial model cannot rank them, the online lineage learns them
 * on the way, so online must beat frozen on exactly those events.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createWriteKeyStore } from '@recstream/ingest/auth';
import {
  covers,
  eventPositions,
  learningDelays,
  LiveVersionTimeline,
  prequentialCases,
  onlineVersusFrozen,
  registryVersions,
  sendBatch,
  type StreamEvent,
  waitForStored,
} from '@recstream/lab';
import { createRedis } from '@recstream/redis';
import { infra, startService, testLogger, testNamespace, type RunningService } from '@recstream/testing';
import { createModelRegistry } from '@recstream/model-registry';
import { runFullTrain, runIncrementalUpdate } from '@recstream/trainer/jobs';
import { testJobDeps, tinySettings } from '../support/trainer-fixtures.js';
import { namespaceDatabase } from '../support/namespace-fixture.js';

const ns = testNamespace('trainerpreq');
const clickhouse = await namespaceDatabase(t, ns, { redisKeys: true });
let ingest: RunningService | undefined;
// Runs before the database is dropped (teardowns run last registered first).
t.teardown(async () => {
  await ingest?.stop();
});

interface SentEvent extends StreamEvent {
  readonly eventId: string;
}

/** Shoppers walking a chain of items, step by step across shoppers (so time-ordered). */
function chain(options: {
  users: string;
  items: string;
  count: number;
  length: number;
  from: number;
}): SentEvent[] {
  const events: SentEvent[] = [];
  for (let step = 0; step < options.length; step += 1)
    for (let u = 0; u < options.count; u += 1)
      events.push({
        eventId: `${options.users}-${u}-${options.items}-${step}`,
        user: `${options.users}${u}`,
        item: `${options.items}${((u * 3) % 12) + step}`,
        timeMs: options.from + events.length,
      });
  return events;
}

t.test('online learning through the pipeline beats the frozen model on new items', async (t) => {
  const redis = createRedis(infra.redisUrl);
  await redis.connect();
  const { key } = await createWriteKeyStore(redis, ns.redisPrefix).create({
    source: 'prequential-test',
    limit: { ratePerSecond: 100_000, burst: 100_000 },
  });
  redis.disconnect();
  ingest = await startService({ service: 'ingest', env: { ...ns.env, REC_INGEST_ROLE: 'both' } });

  const root = await mkdtemp(join(tmpdir(), `${ns.id}-models-`));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const registry = createModelRegistry(root);
  const deps = testJobDeps({ clickhouse, registry, logger: testLogger() });
  const settings = tinySettings({
    holdoutFraction: 0.1,
    epochs: 4,
    guardrail: { tolerance: 0.05, minCases: 1 },
  });
  const timeline = new LiveVersionTimeline(registry, settings.model);
  timeline.start(50);
  t.teardown(() => timeline.stop());

  const send = async (events: readonly SentEvent[]) => {
    const { acceptedAtMs } = await sendBatch(
      ingest?.url ?? '',
      key,
      events.map((e) => ({ type: 'view', event_id: e.eventId, user_id: e.user, item_id: e.item })),
    );
    return acceptedAtMs;
  };

  // 1. The initial model: 30 shoppers × 8 views along chain A, learned by a full training.
  const prefix = chain({ users: 'u', items: 'a', count: 30, length: 8, from: 0 });
  await send(prefix);
  await waitForStored(clickhouse, prefix.length, 30_000);
  const full = await runFullTrain(deps, settings);
  t.equal(full.outcome, 'publish', 'the initial model goes live');
  await timeline.poll();
  const initial = timeline.changes.at(-1)?.version ?? '';

  // 2. The shop moves to chain B, items the initial model has never seen: 30 known shoppers and
  //    10 new ones, sent in four parts; after each, the trainer's incremental job learns what is new.
  const suffix = [
    ...chain({ users: 'u', items: 'b', count: 30, length: 5, from: 1000 }),
    ...chain({ users: 'n', items: 'b', count: 10, length: 4, from: 2000 }),
  ];
  const liveAtSend: string[] = [];
  const acceptedAt: number[] = [];
  const part = Math.ceil(suffix.length / 4);
  for (let start = 0; start < suffix.length; start += part) {
    const events = suffix.slice(start, start + part);
    await timeline.poll();
    const live = timeline.changes.at(-1)?.version ?? '';
    const at = await send(events);
    for (const _event of events) {
      liveAtSend.push(live);
      acceptedAt.push(at);
    }
    await waitForStored(clickhouse, prefix.length + start + events.length, 30_000);
    // Each update learns the part (the guardrail may still hold back or reject one candidate on
    // a few dozen held-out shoppers; the version names seed training, so runs differ).
    const update = await runIncrementalUpdate(deps, settings);
    t.ok(
      ['publish', 'hold', 'reject'].includes(update.outcome),
      `update after part ${start / part + 1}: ${update.outcome}`,
    );
  }
  await timeline.poll();
  t.ok(
    timeline.changes.length >= 3,
    `${timeline.changes.length} versions went live, the initial one and updates`,
  );

  // 3. Each event scored by the version live when it was accepted, and by the initial one.
  const maxLength = settings.hyper.maxLength ?? 6;
  const cases = prequentialCases(prefix, suffix, maxLength);
  const report = await onlineVersusFrozen(
    cases,
    {
      online: (c) => liveAtSend[c.position] ?? '',
      frozen: initial,
      load: registryVersions(registry, settings.model, deps.tf),
    },
    10,
    suffix.length,
    { windows: 4, resamples: 500, confidence: 0.95, seed: 1 },
  );
  t.equal(report.overall.frozen.hr, 0, 'the frozen model cannot rank items it never learned');
  t.equal(report.newItems?.cases, cases.length, 'every suffix target is new to it');
  t.equal(
    report.windows[0]?.online.hr,
    0,
    'before any update the online lineage knows nothing of chain B either',
  );
  t.ok(report.overall.online.hr > 0.2, `online HR@10 ${report.overall.online.hr.toFixed(3)}`);
  t.equal(report.overall.verdict, 'online-better', JSON.stringify(report.overall.difference));

  // 4. Freshness: an event has a learning delay exactly when the last live version's watermark
  //    covers it, and that version went live after the event was accepted.
  const positions = await eventPositions(
    clickhouse,
    suffix.map((e) => e.eventId),
  );
  t.equal(positions.size, suffix.length, 'the sink stored every event with its topic position');
  const delays = learningDelays(
    suffix.map((e, i) => ({ acceptedAtMs: acceptedAt[i] ?? 0, position: positions.get(e.eventId) })),
    timeline.changes,
  );
  const lastLive = timeline.changes.at(-1);
  const covered = suffix.map((e) => {
    const position = positions.get(e.eventId);
    return lastLive !== undefined && position !== undefined && covers(lastLive.watermark, position);
  });
  t.ok(covered.filter(Boolean).length >= part / 2, 'at least half a part was learned by a live version');
  t.same(
    delays.map((d) => d !== undefined),
    covered,
    'a delay for exactly the events the live lineage learned',
  );
  t.ok(
    delays.every((d) => d === undefined || d >= 0),
    'never learned before it was accepted',
  );
});
