/**
 * Item ids in events are the client's to choose: the feature service makes item keys only for
 * items the catalog knows, so events naming hundreds of made-up ids cannot fill the feature store
 * (it never evicts). Through the real service, from the real Kafka to the real Redis.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { featureKeys, toItemMeta, writeCatalog } from '@recstream/features';
import type { EnrichedEvent } from '@recstream/schemas';
import {
  connectTestKafka,
  connectTestRedis,
  createTestTopics,
  deleteTestTopics,
  type RunningService,
  startService,
  testNamespace,
  testTopics,
  waitFor,
} from '@recstream/testing';

const KNOWN = 'sku-known';
const UNKNOWN_PER_EVENT = 500;
const IMPRESSIONS = 4;
const T = Date.now() - 60_000;

const server = (id: string, offsetMs: number) => ({
  event_id: id,
  anonymous_id: 'device-1',
  session_id: 'session-1',
  schema_version: 1 as const,
  event_time: new Date(T + offsetMs).toISOString(),
  received_at: new Date(T + offsetMs + 20).toISOString(),
  source: 'test',
});

t.test('events naming 500 unknown item ids create no item keys', async (t) => {
  const ns = testNamespace('featcard');
  const topics = testTopics(ns);
  await createTestTopics(ns);
  const { producer } = await connectTestKafka(ns);
  const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
  const running: RunningService[] = [];
  t.teardown(async () => {
    for (const service of running) await service.stop('SIGKILL');
    await producer.disconnect();
    await deleteTestTopics(ns);
  });
  await writeCatalog(redis, ns.redisPrefix, [
    toItemMeta({
      item_id: KNOWN,
      title: 'Known',
      category_path: ['Beauty'],
      price: 10,
      currency: 'EUR',
      availability: 'in_stock',
    }),
  ]);
  const junk = () =>
    Array.from({ length: UNKNOWN_PER_EVENT }, () => `junk-${randomBytes(12).toString('hex')}`);
  const events: EnrichedEvent[] = [
    ...Array.from({ length: IMPRESSIONS }, (_, i): EnrichedEvent => ({
      ...server(`imp-${i}`, i),
      type: 'impression',
      item_ids: i === 0 ? [KNOWN, ...junk().slice(1)] : junk(),
    })),
    { ...server('view-junk', 10), type: 'view', item_id: 'junk-viewed' },
    { ...server('view-known', 20), type: 'view', item_id: KNOWN },
    {
      ...server('order', 30),
      type: 'purchase',
      order_id: 'o-1',
      currency: 'EUR',
      items: [KNOWN, 'junk-bought-1', 'junk-bought-2'].map((item_id) => ({ item_id, price: 1, quantity: 1 })),
    },
  ];
  await producer.send(
    topics.events,
    events.map((event) => ({ key: 'device-1', value: JSON.stringify(event) })),
  );
  running.push(await startService({ service: 'feature', env: ns.env }));

  const keys = featureKeys(ns.redisPrefix);
  await waitFor('every event applied', async () => {
    const counts = await redis.hgetall(keys.globalCounts());
    return Number(counts['purchase'] ?? 0) === 1 ? true : undefined;
  });

  const itemKeys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${ns.redisPrefix}:*:item:*`, 'COUNT', 1000);
    cursor = next;
    itemKeys.push(...found);
  } while (cursor !== '0');
  const perItem = itemKeys.filter((key) => /:item:[^:]+:(win|covis|cobuy)$/.test(key));
  t.same(
    perItem.filter((key) => !key.includes(`:item:${KNOWN}:`)),
    [],
    `no window, neighbour or bought-together key for any of ${IMPRESSIONS * UNKNOWN_PER_EVENT} unknown ids`,
  );
  t.same(
    await redis.zrange(keys.itemPopularity(), 0, -1),
    [KNOWN],
    'the popularity set names only the catalog item',
  );
  t.equal(await redis.scard(keys.categoryPending()), 1, 'only the catalog item waits for a category refresh');

  const windows = await redis.hgetall(keys.itemWindows(KNOWN));
  const total = (type: string) =>
    Object.entries(windows)
      .filter(([field]) => field.startsWith(`${type}:7d:`))
      .reduce((sum, [, count]) => sum + Number(count), 0);
  t.equal(total('impression'), 1, 'the catalog item shown among the junk still counts its impression');
  t.equal(total('view'), 1, 'and its view');
  t.equal(total('purchase'), 1, 'and its purchase');
  t.ok(await redis.exists(keys.itemWindows(KNOWN)), 'the catalog item has its windows');
  t.same(
    await redis.zrange(keys.subjectSequence('a:device-1'), 0, -1),
    [
      `${T + 10}:view:junk-viewed`,
      `${T + 20}:view:${KNOWN}`,
      `${T + 30}:purchase:${KNOWN}`,
      `${T + 30}:purchase:junk-bought-1`,
      `${T + 30}:purchase:junk-bought-2`,
    ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    "the shopper's own (capped) sequence still names what they did",
  );
});
