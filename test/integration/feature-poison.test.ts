/**
 * A message the feature service can never apply, among good ones on one partition, as the real
 * service sees it from the real Kafka and Redis: the good ones are applied, the bad ones are parked
 * in the DLQ with a reason, and the partition keeps moving (the group's lag reaches 0).
 *
 * The bad messages are what a producer that bypasses the collector can put on the topic (Kafka has
 * no auth): a purchase without `items` (the compiler cannot read it) and an impression whose item
 * ids are not strings (the Lua step cannot write them, and used to fail after recording the chunk's
 * ids as seen, so the good events of its chunk were lost on the retry).
 */
import t from 'tap';
import { compileContext, compileEvent } from '@recstream/feature/compile';
import { createFeatureStore, type CompiledEvent } from '@recstream/feature/store';
import { featureKeys, toItemMeta, writeCatalog } from '@recstream/features';
import { DLQ_HEADERS, type EnrichedEvent } from '@recstream/schemas';
import {
  connectTestKafka,
  connectTestRedis,
  createTestTopics,
  deleteTestTopics,
  readTopic,
  type RunningService,
  startService,
  testKafkaAdmin,
  testNamespace,
  testTopics,
  waitFor,
} from '@recstream/testing';

const ITEMS = ['sku-1', 'sku-2', 'sku-3'];
const GOOD = 300;
const T = Date.now() - 60_000;

function click(i: number): EnrichedEvent {
  return {
    type: 'click',
    event_id: `good-${i}`,
    user_id: 'shopper-1',
    session_id: 'session-1',
    item_id: ITEMS[i % ITEMS.length] as string,
    schema_version: 1,
    event_time: new Date(T + i).toISOString(),
    received_at: new Date(T + i + 20).toISOString(),
    source: 'test',
  };
}

/** A catalog item of the test's, as the feature service keeps it. */
const itemMeta = (id: string) =>
  toItemMeta({
    item_id: id,
    title: id,
    category_path: ['Beauty'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
  });

const server = (id: string) => ({
  event_id: id,
  user_id: 'shopper-1',
  schema_version: 1,
  event_time: new Date(T).toISOString(),
  received_at: new Date(T + 20).toISOString(),
  source: 'test',
});
const POISON = [
  { ...server('bad-purchase'), type: 'purchase', order_id: 'o-1', currency: 'EUR' },
  { ...server('bad-impression'), type: 'impression', item_ids: ['sku-1', { id: 'sku-2' }, 7] },
];

t.test('a poison message among good ones on one partition', async (t) => {
  const ns = testNamespace('featpoison');
  const topics = testTopics(ns);
  await createTestTopics(ns);
  const { producer } = await connectTestKafka(ns);
  const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
  const admin = testKafkaAdmin(ns);
  await admin.connect();
  const running: RunningService[] = [];
  t.teardown(async () => {
    for (const service of running) await service.stop('SIGKILL');
    await admin.disconnect();
    await producer.disconnect();
    await deleteTestTopics(ns);
  });
  await writeCatalog(
    redis,
    ns.redisPrefix,
    ITEMS.map((id) => itemMeta(id)),
  );

  // One key, so one partition: the poison messages sit between good ones, in two fetches' worth.
  const values = [
    ...Array.from({ length: GOOD / 2 }, (_, i) => JSON.stringify(click(i))),
    ...POISON.map((event) => JSON.stringify(event)),
    ...Array.from({ length: GOOD / 2 }, (_, i) => JSON.stringify(click(GOOD / 2 + i))),
  ];
  await producer.send(
    topics.events,
    values.map((value) => ({ key: 'shopper-1', value })),
  );
  running.push(await startService({ service: 'feature', env: ns.env }));

  const keys = featureKeys(ns.redisPrefix);
  const group = `${ns.topicPrefix}rec-feature`;
  const lag = async () => {
    const ends = await admin.fetchTopicOffsets(topics.events);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topics.events] });
    let total = 0;
    for (const { partition, high } of ends) {
      const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      total += Number(high) - Math.max(0, Number(at));
    }
    return total;
  };
  await waitFor(
    'the partition to be consumed to its end',
    async () => ((await lag()) === 0 ? true : undefined),
    {
      timeoutMs: 30_000,
    },
  );

  t.equal(Number(await redis.hget(keys.globalCounts(), 'click')), GOOD, 'every good event applied, once');
  const sequence = await redis.zcard(keys.subjectSequence('u:shopper-1'));
  t.equal(sequence, Math.min(GOOD, 100), "the shopper's sequence holds the good events (capped at 100)");
  t.notOk(await redis.exists(keys.itemWindows('[object Object]')), 'no key made of the bad item id');

  const parked = await readTopic(topics.dlq);
  t.same(
    parked.map((message) => (JSON.parse(message.value ?? '{}') as { event_id: string }).event_id).sort(),
    ['bad-impression', 'bad-purchase'],
    'the two poison messages, and only they, are in the DLQ',
  );
  for (const message of parked) {
    t.match(message.headers[DLQ_HEADERS.step], 'feature', 'parked by the feature step');
    t.ok(
      (message.headers[DLQ_HEADERS.reason] ?? '').length > 0,
      `with a reason: ${message.headers[DLQ_HEADERS.reason]}`,
    );
  }
  t.match(
    parked.find((m) => m.value?.includes('bad-purchase'))?.headers[DLQ_HEADERS.reason],
    /items/,
    'the reason names what is wrong',
  );
});

t.test(
  'the Lua step failing half-way leaves nothing recorded, and refuses only the events it cannot apply',
  async (t) => {
    const ns = testNamespace('featpoisonlua');
    const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
    const keys = featureKeys(ns.redisPrefix);
    const catalog = new Map(ITEMS.map((id) => [id, itemMeta(id)]));
    const ctx = compileContext(ns.redisPrefix, catalog);
    const compiled = (event: EnrichedEvent, offset: number): CompiledEvent => ({
      eventId: event.event_id,
      offset: String(offset),
      receivedAtMs: Date.parse(event.received_at),
      ops: compileEvent(ctx, event),
    });
    const onBad = { ...click(0), event_id: 'on-bad-key', item_id: 'sku-1' };
    const beside = { ...click(1), event_id: 'beside', item_id: 'sku-2' };
    // A key of a foreign type where the step writes sku-1's windows, late in the script.
    await redis.set(keys.itemWindows('sku-1'), 'not a hash');
    const store = createFeatureStore(redis, ns.redisPrefix);
    const refused: { index: number; reason: string }[] = [];
    let thrown: unknown;
    try {
      await store.apply('events/0', [compiled(onBad, 0), compiled(beside, 1)], 'live', (index, reason) =>
        refused.push({ index, reason }),
      );
    } catch (error) {
      thrown = error;
    }
    t.equal(thrown, undefined, 'a permanent failure does not fail the whole batch');
    t.same(
      refused.map(({ index }) => index),
      [0],
      'only the event that touches the bad key is refused',
    );
    t.match(refused[0]?.reason ?? '', /WRONGTYPE/, 'with the Redis error as the reason');
    t.equal(
      await redis.hget(keys.itemWindows('sku-2'), `click:7d:${Math.floor(T / 86_400_000)}`),
      '1',
      'the event beside it is applied',
    );

    // The key repaired, the refused event replayed from the DLQ (a new offset): it applies, because
    // the failed step recorded nothing.
    await redis.del(keys.itemWindows('sku-1'));
    t.equal(
      await store.apply('events/0', [compiled(onBad, 2)]),
      1,
      'the refused event applies once replayed',
    );
    t.equal(
      await redis.hget(keys.itemWindows('sku-1'), `click:7d:${Math.floor(T / 86_400_000)}`),
      '1',
      'its windows are written',
    );
  },
);
