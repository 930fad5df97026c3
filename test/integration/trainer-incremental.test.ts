/**
 * The trainer's continuous learning against the real ClickHouse, Kafka and Redis: a full training
 * from the log, incremental updates that learn exactly the events beyond the watermark (new items
 * and shoppers included), the registry mirrored into ClickHouse, publishing on the models topic,
 * the guardrail rejecting a worse candidate with its numbers, and the drift alert.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fragment, sql } from '@recstream/clickhouse';
import { connectKafka } from '@recstream/kafka';
import { topicName } from '@recstream/schemas';
import { infra, readTopic, testLogger, testNamespace } from '@recstream/testing';
import { Redis } from 'ioredis';
import { createModelRegistry, publishedMessage } from '@recstream/model-registry';
import {
  casesBeyond,
  modelLockKey,
  runEvaluate,
  runFullTrain,
  runIncrementalUpdate,
  runPublish,
  withModelLock,
} from '@recstream/trainer/jobs';
import { countBeyond, startNewEventsTrigger } from '@recstream/trainer/triggers';
import { learnedCondition, mergeWatermarks } from '@recstream/trainer/watermark';
import {
  chainSessions,
  FakeTopic,
  insertEvents,
  testJobDeps,
  tinySettings,
  untrainedModel,
} from '../support/trainer-fixtures.js';
import { namespaceDatabase } from '../support/namespace-fixture.js';

const ns = testNamespace('trainer');
const clickhouse = await namespaceDatabase(t, ns, { redisKeys: true });

async function covered(watermark: Record<string, number>): Promise<number> {
  const [row] = await clickhouse.query<{ n: string }>(
    sql`SELECT count() AS n FROM events FINAL WHERE ${fragment(learnedCondition(watermark))}`,
  );
  return Number(row?.n);
}

t.test('full training, incremental updates, guardrail and drift on the real log', async (t) => {
  const root = await mkdtemp(join(tmpdir(), `${ns.id}-models-`));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const registry = createModelRegistry(root);
  const kafka = await connectKafka({
    brokers: infra.kafkaBrokers,
    compression: 'none',
    clientId: ns.id,
    logger: testLogger(),
    topicPrefix: ns.topicPrefix,
    produceTimeoutMs: 10_000,
  });
  t.teardown(() => kafka.stop());
  const modelsTopic = topicName('modelsPublished', ns.topicPrefix);
  const deps = testJobDeps({
    clickhouse,
    registry,
    logger: testLogger(),
    announce: (record) => kafka.producer.send(modelsTopic, [publishedMessage(record)]),
  });
  const settings = tinySettings();
  const topic = new FakeTopic(3, Date.UTC(2026, 10, 1));
  const rejections = async () =>
    (await deps.metrics.decisions.get()).values.find(
      (v) => v.labels['model'] === 'sasrec' && v.labels['action'] === 'reject',
    )?.value ?? 0;

  // An empty log: nothing to train on, nothing saved.
  t.same(await runFullTrain(deps, settings), { outcome: 'too-little-data', events: 0 });
  t.match(await runIncrementalUpdate(deps, settings), { outcome: 'no-base' });

  // 1. Full training on 40 shoppers × 8 views along a chain of 30 items.
  const initial = chainSessions(topic, { users: 40, items: 30, length: 8 });
  await insertEvents(clickhouse, initial);
  const full = await runFullTrain(deps, settings);
  if (full.outcome === 'too-little-data') throw new Error('expected a trained version');
  t.equal(full.outcome, 'publish', 'the first version goes live');
  t.equal(full.events, 256, '80% learned, the newest 20% (64 events) held out');
  t.equal(await covered(full.watermark), 256, 'the watermark covers exactly the learned events');
  t.ok(full.metrics['holdout.hr10'] !== undefined && (full.metrics['holdout.cases'] ?? 0) > 0);
  const v1 = await registry.live('sasrec');
  t.equal(v1?.version, full.version);

  // 2. New events: the held-out 64 plus new shoppers, and an item the catalog does not have.
  await clickhouse.insert('items', [{ item_id: 'sku-1', title: 'known', version: 1, is_deleted: 0 }]);
  const fresh = [
    topic.event('new-0', ['sku-brand-new']),
    topic.event('new-1', ['sku-brand-new', 'sku-1']),
    ...chainSessions(topic, { users: 10, items: 30, length: 4, userPrefix: 'new-' }),
  ];
  await insertEvents(clickhouse, fresh);
  t.equal(await countBeyond(clickhouse, full.watermark), 64 + fresh.length, 'the trigger sees what is new');
  const update = await runIncrementalUpdate(deps, settings);
  if (update.outcome === 'no-base' || update.outcome === 'empty') throw new Error(`got ${update.outcome}`);
  const total = 64 + fresh.length;
  const learned = total - Math.floor(total * 0.2);
  t.equal(update.events, learned, 'learned the older 80% of what was new');
  t.equal(update.parent, full.version, 'warm-started from the previous version');
  t.equal(await covered(update.watermark), 256 + learned, 'nothing skipped, nothing twice');
  const v2 = await registry.loadSequenceModel('sasrec', update.version);
  t.teardown(() => v2.model.dispose());
  t.ok(v2.itemIds?.includes('sku-brand-new'), 'the new item entered the embedding table');
  t.equal(v2.record.metrics['newItems'], 1);
  // Arrival order is insertion order here: the update learned the first `learned` new events.
  const learnedItems = new Set(
    [...initial.slice(256), ...fresh]
      .slice(0, learned)
      .flatMap((e) => (e.item_id === '' ? e.item_ids : [e.item_id])),
  );
  t.ok(learnedItems.has('sku-1'));
  t.equal(
    v2.record.metrics['unknownCatalogItems'],
    learnedItems.size - 1,
    'every learned item but sku-1 is unknown',
  );
  t.ok(
    (v2.record.metrics['unknownCatalogInteractions'] ?? 0) > 0,
    'and their events were learned all the same',
  );
  t.equal(v2.record.kind, 'incremental');
  t.same(v2.record.dataWindow.events, learned);

  // 3. Drain: learn everything, then an empty window is a no-op.
  const drain = await runIncrementalUpdate(deps, { ...settings, holdoutFraction: 0 });
  t.notOk(drain.outcome === 'empty' || drain.outcome === 'no-base');
  const versions = (await registry.list('sasrec')).length;
  const empty = await runIncrementalUpdate(deps, settings);
  t.equal(empty.outcome, 'empty');
  t.equal((await registry.list('sasrec')).length, versions, 'no new version for an empty window');
  const head = await registry.head('sasrec');
  t.equal(
    await covered(head?.watermark ?? {}),
    256 + total,
    'every event learned exactly once over the lineage',
  );

  // 4. The guardrail: a candidate that knows none of the items shoppers view now (an untrained
  // model over other ids) misses every held-out event and is rejected. (An untrained model over
  // the same 30 ids is no test: on so small a catalogue it can match the tiny live model by luck.)
  const liveBefore = await registry.live('sasrec');
  const untrained = untrainedModel(settings, v2.model.numItems, 99);
  t.teardown(() => untrained.dispose());
  await registry.saveSequenceModel(
    {
      model: 'sasrec',
      version: 'untrained',
      kind: 'full',
      parent: null,
      createdAt: new Date().toISOString(),
      dataWindow: { from: null, to: null, events: 0 },
      watermark: head?.watermark ?? {},
      metrics: {},
      hyperParameters: {},
    },
    untrained,
    (v2.itemIds ?? []).map((id) => `other-${id}`),
  );
  await insertEvents(clickhouse, chainSessions(topic, { users: 40, items: 30, length: 3, userPrefix: 'u' }));
  const rejectionsBefore = await rejections();
  const verdict = await runPublish(
    deps,
    { ...settings, guardrail: { tolerance: 0, minCases: 10 } },
    {
      version: 'untrained',
      force: false,
    },
  );
  t.equal(verdict.action, 'reject', verdict.reason);
  t.equal((await registry.live('sasrec'))?.version, liveBefore?.version, 'the live version keeps serving');
  t.equal((await registry.get('sasrec', 'untrained')).status, 'rejected');
  const [decision] = await clickhouse.query<{
    action: string;
    live_version: string;
    candidate_ndcg10: number;
    live_ndcg10: number;
    holdout_cases: number;
  }>(sql`SELECT action, live_version, candidate_ndcg10, live_ndcg10, holdout_cases FROM model_decisions
    WHERE version = 'untrained'`);
  t.equal(decision?.action, 'reject');
  t.equal(decision?.live_version, liveBefore?.version);
  t.ok(Number(decision?.live_ndcg10) > Number(decision?.candidate_ndcg10), 'recorded with the numbers');
  t.ok(Number(decision?.holdout_cases) >= 10);

  // 5. The registry is queryable in ClickHouse and the live versions were announced.
  const rows = await clickhouse.query<{ version: string; status: string; parent: string; watermark: string }>(
    sql`SELECT version, status, parent, watermark FROM model_versions FINAL ORDER BY created_at, version`,
  );
  const listed = await registry.list('sasrec');
  t.same(
    rows.map((r) => `${r.version}:${r.status}`),
    listed.map((r) => `${r.version}:${r.status}`),
    'model_versions mirrors the registry',
  );
  t.same(JSON.parse(rows.find((r) => r.version === update.version)?.watermark ?? '{}'), update.watermark);
  const messages = await readTopic(modelsTopic);
  t.same(
    messages.map((m) => (JSON.parse(m.value ?? '{}') as { version: string }).version),
    deps.announced.map((r) => r.version),
    'each publish was announced on the models topic',
  );
  t.ok(messages.every((m) => m.key === 'sasrec'));

  // 6. Drift: shoppers switch to browsing the chain backwards; the live model's numbers fall.
  await insertEvents(
    clickhouse,
    chainSessions(topic, { users: 40, items: 30, length: 6, userPrefix: 'u', step: -1 }),
  );
  const drift = await runEvaluate(deps, { ...settings, driftBound: 0.05 }, undefined);
  t.ok(drift.drift?.alert, `drift alert raised (${JSON.stringify(drift.drift)})`);
  const text = await deps.serviceMetrics.registry.metrics();
  t.match(text, /rec_trainer_holdout_drift_alert\{model="sasrec"\} 1/);
  t.equal(await rejections(), rejectionsBefore + 1, 'the rejection was counted');

  // 7. The "after N new events" trigger fires once enough events wait beyond the head's watermark.
  const pending = await countBeyond(clickhouse, (await registry.head('sasrec'))?.watermark ?? {});
  const fires = (threshold: number, waitMs: number) =>
    new Promise<boolean>((resolve) => {
      const trigger = startNewEventsTrigger({
        clickhouse,
        registry,
        model: 'sasrec',
        threshold,
        pollMs: 50,
        trigger: () => {
          trigger.stop();
          resolve(true);
          return Promise.resolve();
        },
        logger: testLogger(),
      });
      setTimeout(() => {
        trigger.stop();
        resolve(false);
      }, waitMs);
    });
  t.equal(await fires(pending, 10_000), true, `triggered at ${pending} waiting events`);
  t.equal(await fires(pending + 1, 500), false, 'not before');

  // 8. A full training that read only a prefix of the log is judged against the live version on
  //    events neither has learned, not on its own held-out prefix (which the live one has learned).
  const liveNow = await registry.live('sasrec');
  const partial = await runFullTrain(deps, { ...settings, maxFullTrainEvents: 100 });
  if (partial.outcome === 'too-little-data') throw new Error('expected a trained version');
  const merged = mergeWatermarks(partial.watermark, liveNow?.watermark ?? {});
  const expectedCases = (await casesBeyond(deps, settings, merged, 6)).length;
  const [judged] = await clickhouse.query<{ holdout_cases: number; action: string }>(
    sql`SELECT holdout_cases, action FROM model_decisions WHERE version = ${partial.version}`,
  );
  t.equal(Number(judged?.holdout_cases), expectedCases, 'judged beyond both watermarks');
  t.not(expectedCases, partial.metrics['holdout.cases'], 'not on its own held-out prefix');
  if (judged?.action === 'reject')
    t.not(
      (await registry.head('sasrec'))?.version,
      partial.version,
      'a rejected full training is not trained on',
    );
});

t.test('only one update per model at a time', async (t) => {
  const redis = new Redis(infra.redisUrl);
  t.teardown(() => redis.disconnect());
  const key = modelLockKey(ns.redisPrefix, 'sasrec');
  const inner = await withModelLock(redis, key, 5000, async () => {
    const second = await withModelLock(redis, key, 5000, () => Promise.resolve('ran'));
    return second.locked;
  });
  t.same(inner, { locked: true, value: false }, 'the second holder is turned away while the first runs');
  t.same(await withModelLock(redis, key, 5000, () => Promise.resolve('ran')), { locked: true, value: 'ran' });
});
