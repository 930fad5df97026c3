/**
 * Serving with the sequence model, against the real Redis (features written by the feature
 * service's own writer), the real Kafka (announcements in the trainer's format on the models
 * topic) and native TensorFlow: tiny models trained here (v1 learned item k → k + 1, v2 learned
 * k → k + 3), saved in a temporary registry with the trainer's code.
 *
 * Checks what an operator and a shopper would notice: `/readyz` waits for the model and names its
 * version; the model's neighbours and ranking drive the answer; a version announced on Kafka is
 * swapped in under load with no failed or degraded request, later answers come from it, and the
 * tensors of the old version are freed (tf.memory back to where it was); a corrupt announced
 * version is refused while the current one keeps serving.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { loadTensorFlow } from '@recstream/models';
import { createRedis, type Redis } from '@recstream/redis';
import { createRegistryReader } from '@recstream/model-registry';
import { topicName, type RecommendationsResponse } from '@recstream/schemas';
import { servingApp } from '../support/serving-app.js';
import { DEFAULT_SETTINGS } from '@recstream/serving/settings';
import { ServedModel, startModelService } from '@recstream/serving/models';
import {
  connectTestKafka,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  infra,
  testNamespace,
  waitFor,
} from '@recstream/testing';
import { createEventFactory, createFeatureWriter } from '../support/shop-events.js';
import {
  catalogItems,
  MODEL,
  publishedMessage,
  saveVersion,
  tempRegistry,
  trainChainModel,
} from './serving-models.fixtures.js';

const NOW = Date.now();
const MINUTE = 60_000;
const logger = createLogger({ service: 'test', level: 'silent' });

/** Waits until `condition` holds. */
const until = (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) =>
  waitFor(what, async () => ((await condition()) ? true : undefined), { timeoutMs, intervalMs: 20 });

t.test(
  'serving with the sequence model: startup, ranking, hot swap under load, a corrupt version',
  async (t) => {
    const tf = loadTensorFlow();
    const ns = testNamespace('servmodels');
    await createTestTopics(ns);
    const redis: Redis = createRedis(infra.featureRedisUrl);
    await redis.connect();
    const { kafka, producer } = await connectTestKafka(ns);
    t.teardown(async () => {
      await producer.disconnect();
      await deleteTestTopics(ns);
      await deleteTestKeys(ns);
      redis.disconnect();
    });

    // Features: a few popular items (the blend's floor) and Alice, who just viewed sku-3.
    const event = createEventFactory();
    const write = await createFeatureWriter(redis, ns.redisPrefix, catalogItems(NOW));
    const traffic = [10, 11, 12, 13].flatMap((item, i) =>
      Array.from({ length: 5 + i }, (_, n) =>
        event(
          NOW - 30 * MINUTE + n * 1000,
          { anon: `viewer-${item}-${n}` },
          { type: 'view', item_id: `sku-${item}` },
        ),
      ),
    );
    traffic.push(event(NOW - MINUTE, { user: 'alice' }, { type: 'view', item_id: 'sku-3' }));
    traffic.sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time));
    t.equal(await write(traffic), traffic.length);

    // Three versions: v1 (k → k+1) live at startup, v2 (k → k+3) announced later, v3 corrupted.
    const registry = await tempRegistry(t);
    const chain1 = await trainChainModel(1, 11);
    const chain3 = await trainChainModel(3, 13);
    await saveVersion(registry, 'v1', chain1);
    const v2 = await saveVersion(registry, 'v2', chain3);
    const v3 = await saveVersion(registry, 'v3', chain1);
    chain1.dispose();
    chain3.dispose();
    await registry.setLive(MODEL, 'v1');

    const metrics = createMetrics('serving', { defaultMetrics: false });
    const modelsTopic = topicName('modelsPublished', ns.topicPrefix);
    const service = await startModelService({
      registryDir: registry.root,
      model: MODEL,
      required: true,
      tf: loadTensorFlow,
      logger,
      metrics,
      updates: { kafka, topic: modelsTopic, groupId: `${ns.id}-serving-a` },
      pollMs: 0,
    });
    // Asked before anything else can run: the startup load (file reads, warm-up) is under way.
    const early = await service.live.readiness().then(
      (detail) => `ready: ${detail}`,
      (error: unknown) => (error as Error).message,
    );
    t.teardown(() => service.stop());
    const app = await servingApp(t, {
      metrics,
      redis,
      redisPrefix: ns.redisPrefix,
      maxK: 50,
      model: { live: service.live, metrics: service.metrics, rankWeight: 0.7 },
      // The machine is shared with other tests: a generous read budget keeps answers undegraded.
      settings: { ...DEFAULT_SETTINGS, featureTimeoutMs: 5000 },
      clock: () => NOW,
    });
    const get = async (url: string) => {
      const response = await app.inject({ method: 'GET', url });
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
      return response.json<RecommendationsResponse>();
    };
    const metric = async (line: string) =>
      (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(line));

    await t.test('readiness waits for the startup load, then names the version', async (t) => {
      t.equal(early, 'sasrec is loading', 'not ready while the live version loads and warms');
      await service.started;
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      t.equal(ready.statusCode, 200);
      t.same(ready.json(), { status: 'ready', checks: { model: 'sasrec@v1' } });
      t.ok(await metric('rec_serving_model_version_info{model="sasrec",version="v1"} 1'));
      t.ok(await metric('rec_serving_model_loads_total{model="sasrec",outcome="loaded"} 1'));
    });

    await t.test('the model proposes and ranks: after sku-3, what v1 learned comes next', async (t) => {
      const answer = await get('/v1/recommendations?user_id=alice&k=5');
      t.equal(answer.ranker, 'sasrec@v1');
      t.equal(answer.degraded, false);
      const top = answer.items[0];
      t.equal(top?.item_id, 'sku-4', `answer: ${answer.items.map((i) => i.item_id).join(', ')}`);
      t.equal(top?.source, 'sequence_ann', 'proposed by the nearest-neighbour source');
      t.ok(
        top?.reason.code === 'picked_for_you' ||
          (top?.reason.code === 'because_you_viewed' && top.reason.text === 'Because you viewed Title sku-3'),
        `reason ${JSON.stringify(top?.reason)}`,
      );
      t.notOk(
        answer.items.some((i) => i.item_id === 'sku-3'),
        'the item just viewed is not offered again',
      );

      const newcomer = await get('/v1/recommendations?user_id=nobody-knows-me&k=5');
      t.equal(newcomer.ranker, 'blended', 'no history: the blended order');
      t.equal(newcomer.degraded, false, 'which is not a degradation');
      t.same(
        newcomer.items.map((i) => i.item_id),
        ['sku-13', 'sku-12', 'sku-11', 'sku-10', 'sku-3'],
        'popular items, most viewed first',
      );
      const similar = await get('/v1/items/sku-3/similar?k=3');
      t.equal(similar.ranker, 'blended', 'similar items take no shopper: blended');
    });

    await t.test('a warmed version holds no tensor and answers from what it copied', async (t) => {
      const before = tf.memory().numTensors;
      const loaded = await createRegistryReader(registry.root).load(MODEL, 'v1', tf);
      t.ok(tf.memory().numTensors > before, 'a loaded version holds tensors');
      const extra = await ServedModel.warm(loaded);
      t.equal(tf.memory().numTensors, before, 'warming copies what serving needs and frees every tensor');
      t.equal(extra.recall, 1, 'a small catalog is searched exactly');
      const shopper = extra.encode(extra.historyOf([{ itemId: 'sku-3', type: 'view', timeMs: NOW }]));
      const next = extra.nearest(shopper.hidden, 1, (index) => shopper.history.includes(index));
      t.equal(extra.itemId(next[0]?.index ?? -1), 'sku-4', 'the tensors are gone, what it learned is not');
    });

    await t.test('a version announced on Kafka is swapped in under load', async (t) => {
      const baseline = tf.memory();
      let swapped = false;
      let stop = false;
      const outcomes: {
        status: number;
        ranker?: string;
        top?: string;
        degraded?: boolean;
        afterSwap: boolean;
      }[] = [];
      const worker = async () => {
        while (!stop) {
          const afterSwap = swapped;
          const response = await app.inject({ method: 'GET', url: '/v1/recommendations?user_id=alice&k=5' });
          const body = response.statusCode === 200 ? response.json<RecommendationsResponse>() : undefined;
          outcomes.push({
            status: response.statusCode,
            ...(body === undefined
              ? {}
              : { ranker: body.ranker ?? '', top: body.items[0]?.item_id ?? '', degraded: body.degraded }),
            afterSwap,
          });
        }
      };
      const workers = Array.from({ length: 6 }, () => worker());
      await until('answers before the swap', () => outcomes.length >= 20);

      await registry.setLive(MODEL, 'v2');
      await producer.send(modelsTopic, [publishedMessage(v2)]);
      await until('v2 serving', () => service.live.current?.version === 'v2', 60_000);
      swapped = true;
      const atSwap = outcomes.length;
      await until('answers after the swap', () => outcomes.length >= atSwap + 30);
      stop = true;
      await Promise.all(workers);

      const failed = outcomes.filter((o) => o.status !== 200 || o.degraded !== false);
      t.same(failed, [], `no failed or degraded answer among ${outcomes.length}`);
      const before = outcomes.filter((o) => !o.afterSwap && o.ranker === 'sasrec@v1');
      const after = outcomes.filter((o) => o.afterSwap);
      t.ok(before.length >= 20, `${before.length} answers from v1 before the swap`);
      t.ok(after.length >= 30);
      t.same(
        [...new Set(after.map((o) => `${o.ranker} ${o.top}`))],
        ['sasrec@v2 sku-6'],
        'every answer begun after the swap comes from v2, which learned sku-3 → sku-6',
      );

      const now = tf.memory();
      t.equal(now.numTensors, baseline.numTensors, 'tensor count back to baseline: no version holds tensors');
      t.equal(now.numBytes, baseline.numBytes, 'tensor memory back to baseline');
      t.ok(await metric('rec_serving_model_swaps_total{model="sasrec"} 1'));
      t.ok(await metric('rec_serving_model_version_info{model="sasrec",version="v2"} 1'));
      t.notOk(
        await metric('rec_serving_model_version_info{model="sasrec",version="v1"}'),
        'v1 no longer reported',
      );
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      t.same(ready.json(), { status: 'ready', checks: { model: 'sasrec@v2' } });
    });

    await t.test('a corrupt announced version is refused; the current one keeps serving', async (t) => {
      const baseline = tf.memory().numTensors;
      // Same size, other bytes: only the checksum can tell.
      const weights = join(v3.path, 'artifact', 'items.weights.bin');
      await writeFile(weights, Buffer.alloc((await stat(weights)).size, 7));
      await producer.send(modelsTopic, [publishedMessage(v3)]);
      await until(
        'v3 refused',
        async () =>
          (await metric('rec_serving_model_loads_total{model="sasrec",outcome="failed"} 1')) !== undefined,
      );
      t.equal(service.live.current?.version, 'v2');
      const answer = await get('/v1/recommendations?user_id=alice&k=5');
      t.equal(answer.ranker, 'sasrec@v2');
      t.equal(answer.degraded, false);
      t.equal(tf.memory().numTensors, baseline, 'the refused version left no tensor behind');
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      t.equal(ready.statusCode, 200, 'still ready');
    });

    await t.test('announcements of other models and malformed ones are ignored', async (t) => {
      await producer.send(modelsTopic, [
        { key: 'popularity', value: JSON.stringify({ model: 'popularity', version: 'p1' }) },
        { key: MODEL, value: '{not json' },
        { key: MODEL, value: JSON.stringify({ model: MODEL, version: '../../etc' }) },
      ]);
      await until(
        'three announcements dropped',
        async () =>
          (await metric(`rec_serving_kafka_messages_total{topic="${modelsTopic}",result="drop"} 3`)) !==
          undefined,
      );
      t.equal(service.live.current?.version, 'v2');
    });
  },
);
