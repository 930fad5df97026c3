/**
 * Serving when its model is missing or corrupt: never a crash, the blended order instead, every
 * answer flagged (`degraded_reason: model_unavailable`, `ranker: blended`), the reason in
 * `/readyz`, the logs and the metrics — and back to the model as soon as a good version is live.
 * The last test runs the real serving process (REC_SERVING_MODEL_REQUIRED=false, as in a demo
 * before the first training) and publishes its first version through Kafka.
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { loadTensorFlow } from '@recstream/models';
import { createRedis, type Redis } from '@recstream/redis';
import { topicName, type RecommendationsResponse } from '@recstream/schemas';
import { servingApp } from '../support/serving-app.js';
import { DEFAULT_SETTINGS } from '@recstream/serving/settings';
import { startModelService } from '@recstream/serving/models';
import {
  connectTestKafka,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  infra,
  startService,
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
} from '../integration/serving-models.fixtures.js';

const NOW = Date.now();
const logger = createLogger({ service: 'test', level: 'silent' });

const ns = testNamespace('servmodelfail');
const redis: Redis = createRedis(infra.featureRedisUrl);
const event = createEventFactory();

t.before(async () => {
  await redis.connect();
  const write = await createFeatureWriter(redis, ns.redisPrefix, catalogItems(NOW));
  await write([
    event(NOW - 120_000, { anon: 'viewer-1' }, { type: 'view', item_id: 'sku-10' }),
    event(NOW - 60_000, { user: 'alice' }, { type: 'view', item_id: 'sku-3' }),
  ]);
});
t.teardown(async () => {
  await deleteTestKeys(ns);
  redis.disconnect();
});

/** The model service and app over `registryDir`, both stopped with the test. */
async function serving(t: Test, registryDir: string, required: boolean) {
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const service = await startModelService({
    registryDir,
    model: MODEL,
    required,
    tf: loadTensorFlow,
    logger,
    metrics,
    pollMs: 0,
  });
  t.teardown(() => service.stop());
  await service.started;
  const app = await servingApp(t, {
    metrics,
    redis,
    redisPrefix: ns.redisPrefix,
    maxK: 20,
    model: { live: service.live, metrics: service.metrics, rankWeight: 0.7 },
    settings: { ...DEFAULT_SETTINGS, featureTimeoutMs: 5000 },
    clock: () => NOW,
  });
  const alice = async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/recommendations?user_id=alice&k=5' });
    t.equal(response.statusCode, 200, 'answered');
    return response.json<RecommendationsResponse>();
  };
  const ready = async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    return {
      status: response.statusCode,
      model: response.json<{ checks: { model: string } }>().checks.model,
    };
  };
  const metric = async (line: string) =>
    (await metrics.registry.metrics()).split('\n').some((l) => l.startsWith(line));
  return { service, alice, ready, metric };
}

t.test('no live version, model required: not ready, answers in the blended order, flagged', async (t) => {
  const registry = await tempRegistry(t);
  const { service, alice, ready, metric } = await serving(t, registry.root, true);
  const probe = await ready();
  t.equal(probe.status, 503);
  t.match(probe.model, /^no model: the registry .* has no live version of sasrec$/);

  const answer = await alice();
  t.equal(answer.ranker, 'blended');
  t.equal(answer.degraded, true);
  t.equal(answer.degraded_reason, 'model_unavailable');
  t.ok(answer.items.length > 0, 'still a useful answer');
  t.ok(await metric('rec_serving_degraded_total{reason="model_unavailable"} 1'));
  t.ok(await metric('rec_serving_model_rankings_total{model="sasrec",outcome="no_model"} 1'));
  t.notOk(await metric('rec_serving_model_version_info{'), 'no version reported');

  // A first version goes live; the next registry poll picks it up.
  const model = await trainChainModel(1, 5);
  await saveVersion(registry, 'v1', model);
  model.dispose();
  await registry.setLive(MODEL, 'v1');
  await service.live.loadLive();
  t.same(await ready(), { status: 200, model: 'sasrec@v1' });
  const recovered = await alice();
  t.equal(recovered.ranker, 'sasrec@v1');
  t.equal(recovered.degraded, false);
  t.notOk('degraded_reason' in recovered);
});

t.test('a corrupt or partial live version: refused with the file named, never a crash', async (t) => {
  const registry = await tempRegistry(t);
  const model = await trainChainModel(1, 5);
  const corrupt = await saveVersion(registry, 'v1', model);
  const partial = await saveVersion(registry, 'v2', model);
  model.dispose();
  await registry.setLive(MODEL, 'v1');
  const weights = join(corrupt.path, 'artifact', 'items.weights.bin');
  await writeFile(weights, Buffer.alloc((await stat(weights)).size, 1));

  const tf = loadTensorFlow();
  const tensors = tf.memory().numTensors;
  const { service, alice, ready, metric } = await serving(t, registry.root, true);
  const probe = await ready();
  t.equal(probe.status, 503);
  t.match(probe.model, /items\.weights\.bin does not match its checksum/, probe.model);
  t.ok(await metric('rec_serving_model_loads_total{model="sasrec",outcome="failed"} 1'));
  t.equal(tf.memory().numTensors, tensors, 'nothing of it left in memory');
  const answer = await alice();
  t.match(answer, { ranker: 'blended', degraded: true, degraded_reason: 'model_unavailable' });

  // A partial version (a file gone) announced next: refused too, naming the file.
  await rm(join(partial.path, 'artifact', 'dense.bin'));
  await service.live.request('v2');
  const again = await ready();
  t.equal(again.status, 503);
  t.match(again.model, /dense\.bin/);
  t.ok(await metric('rec_serving_model_loads_total{model="sasrec",outcome="failed"} 2'));

  // A version that does not exist at all.
  await service.live.request('v9');
  t.match((await ready()).model, /no version|cannot be read/);
  t.equal((await alice()).degraded_reason, 'model_unavailable');
});

t.test(
  'the real process: ready without a model when not required, then its first version over Kafka',
  async (t) => {
    const processNs = testNamespace('servmodelproc');
    await createTestTopics(processNs);
    const registry = await tempRegistry(t);
    const { producer } = await connectTestKafka(processNs);
    t.teardown(async () => {
      await producer.disconnect();
      await deleteTestTopics(processNs);
      await deleteTestKeys(processNs);
    });
    const write = await createFeatureWriter(redis, processNs.redisPrefix, catalogItems(NOW));
    await write([event(Date.now() - 1000, { user: 'alice' }, { type: 'view', item_id: 'sku-3' })]);

    const serving = await startService({
      service: 'serving',
      env: {
        ...processNs.env,
        REC_SERVING_AUTH: 'disabled',
        REC_SERVING_IMPRESSIONS: 'off',
        REC_SERVING_MODEL_DIR: registry.root,
        REC_SERVING_MODEL_REQUIRED: 'false',
        REC_SERVING_MODEL_POLL_MS: '0',
        REC_SERVING_FEATURE_TIMEOUT_MS: '5000',
        REC_LOG_LEVEL: 'warn',
      },
    });
    t.teardown(() => serving.stop());
    const readyz = async () =>
      (await (await fetch(`${serving.url}/readyz`)).json()) as { status: string; checks: { model: string } };
    const alice = async () =>
      (await (
        await fetch(`${serving.url}/v1/recommendations?user_id=alice&k=5`)
      ).json()) as RecommendationsResponse;

    t.match(await readyz(), {
      status: 'ready',
      checks: { model: /^no model \(.*\); ranking by blended scores$/ },
    });
    t.match(await alice(), { ranker: 'blended', degraded: true, degraded_reason: 'model_unavailable' });

    const model = await trainChainModel(1, 5);
    const v1 = await saveVersion(registry, 'v1', model);
    model.dispose();
    await registry.setLive(MODEL, 'v1');
    await producer.send(topicName('modelsPublished', processNs.topicPrefix), [publishedMessage(v1)]);
    await waitFor(
      'the process to serve v1',
      async () => ((await readyz()).checks.model === 'sasrec@v1' ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const answer = await alice();
    t.equal(answer.ranker, 'sasrec@v1');
    t.equal(answer.degraded, false);
    t.equal(answer.items[0]?.item_id, 'sku-4', 'v1 learned sku-3 → sku-4');
    t.equal(await serving.stop(), 0, 'clean exit on SIGTERM');
    t.match(serving.output(), /no live model version in the registry/);
  },
);
