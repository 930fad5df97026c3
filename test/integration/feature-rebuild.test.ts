/**
 * Rebuilding the online features from the ClickHouse log, against the real ClickHouse and Redis:
 * the rebuilt store equals the one the live consumer wrote, key for key; a rebuild that runs
 * after the live consumer has already applied part of the log fills exactly the rest (so it is
 * safe while the consumer runs); a second run adds nothing; `reset` recomputes everything.
 */
import t, { type Test } from 'tap';
import type { Redis } from 'ioredis';
import { compileContext, compileEvent } from '@recstream/feature/compile';
import { rebuildFeatures } from '@recstream/feature/rebuild';
import { createFeatureStore, type CompiledEvent } from '@recstream/feature/store';
import { featureKeys, toItemMeta, type ItemMeta } from '@recstream/features';
import { toEventRow, toItemRow } from '@recstream/ingest/sink';
import { createRedis } from '@recstream/redis';
import type { CatalogItem, EnrichedEvent } from '@recstream/schemas';
import {
  createTestDatabase,
  deleteTestKeys,
  dropTestDatabase,
  infra,
  testNamespace,
} from '@recstream/testing';

const ns = testNamespace('featrebuild');
const TOPIC = 'events-test';
const T = Date.UTC(2026, 10, 24, 9, 0, 0);
const CATEGORIES = [
  ['Beauty', 'Lips'],
  ['Beauty', 'Eyes'],
  ['Home', 'Bath'],
];

const items: CatalogItem[] = Array.from({ length: 30 }, (_, i) => ({
  item_id: `sku-${i}`,
  title: `Item ${i}`,
  category_path: CATEGORIES[i % 3] as string[],
  brand: `brand-${i % 4}`,
  price: 10 + i,
  currency: 'EUR',
  availability: 'in_stock',
  updated_at: new Date(T - 86_400_000).toISOString(),
  // New arrivals are told by created_at: the rebuilt catalog must keep it.
  created_at: new Date(T - 2 * 86_400_000 - i * 1000).toISOString(),
}));

/** A varied log: several shoppers and sessions, every event type, a login, a late event. */
function makeLog(): EnrichedEvent[] {
  const events: EnrichedEvent[] = [];
  for (let i = 0; i < 240; i += 1) {
    const at = T + i * 7_000 + (i % 5) * 113;
    const shopper = i % 6;
    const ids =
      shopper === 0 && i > 120
        ? { user_id: 'u-0', anonymous_id: 'dev-0', session_id: `s-0-${Math.floor(i / 90)}` }
        : shopper < 3
          ? { anonymous_id: `dev-${shopper}`, session_id: `s-${shopper}-${Math.floor(i / 90)}` }
          : { user_id: `u-${shopper}`, session_id: `s-${shopper}-${Math.floor(i / 90)}` };
    const base = {
      event_id: `ev-${i}`,
      schema_version: 1 as const,
      received_at: new Date(at + 40).toISOString(),
      event_time: new Date(at).toISOString(),
      source: 'test',
      ...ids,
    };
    const item = `sku-${(i * 7) % 31}`; // sku-30 is not in the catalog
    switch (i % 8) {
      case 0:
        events.push({ ...base, type: 'search', query: `query ${i % 5}` });
        break;
      case 1:
        events.push({
          ...base,
          type: 'impression',
          item_ids: [item, `sku-${(i + 1) % 30}`, `sku-${(i + 2) % 30}`],
        });
        break;
      case 2:
        events.push({ ...base, type: 'click', item_id: item, position: 1 });
        break;
      case 3:
        events.push({ ...base, type: 'add_to_cart', item_id: item, quantity: 1, price: 12, currency: 'EUR' });
        break;
      case 4:
        events.push({ ...base, type: 'remove_from_cart', item_id: item, quantity: 1 });
        break;
      case 5:
        events.push({
          ...base,
          type: 'purchase',
          order_id: `o-${i}`,
          currency: 'EUR',
          items: [
            { item_id: item, price: 12, quantity: 1 },
            { item_id: `sku-${(i + 3) % 30}`, price: 9, quantity: 2 },
          ],
        });
        break;
      default:
        events.push({ ...base, type: 'view', item_id: item });
    }
  }
  // Reached ingest two hours after it happened: beyond the lateness bound, live and rebuilt alike.
  events.push({
    event_id: 'ev-late',
    schema_version: 1,
    type: 'view',
    item_id: 'sku-1',
    user_id: 'u-9',
    event_time: new Date(T).toISOString(),
    received_at: new Date(T + 2 * 3_600_000).toISOString(),
    source: 'test',
  });
  return events;
}

const PARTITIONS = 3;
/** Events keyed by shopper spread over partitions, offsets counted per partition. */
function place(events: readonly EnrichedEvent[]) {
  const next = new Array<number>(PARTITIONS).fill(0);
  return events.map((event) => {
    const key = event.user_id ?? event.anonymous_id ?? event.event_id;
    const partition = [...key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % PARTITIONS, 7);
    const offset = next[partition] ?? 0;
    next[partition] = offset + 1;
    return { event, partition, offset: String(offset) };
  });
}

/** Every feature key with its content; floats rounded (sums in another order differ in the last bits). */
async function dump(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys = featureKeys(prefix);
  // Bookkeeping, not features: state, offsets and the catalog's version and change log.
  const skip = new Set([keys.state(), keys.appliedOffsets(), keys.itemMetaVersion(), keys.itemMetaLog()]);
  const round = (v: string) =>
    Number.isFinite(Number(v)) && v.includes('.') ? Number(v).toPrecision(10) : v;
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', keys.all(), 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      if (skip.has(key) || key.includes(':seen:')) continue;
      const name = key.slice(prefix.length);
      const type = await redis.type(key);
      if (type === 'zset') {
        const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${round(flat[i + 1] as string)}`);
        out[name] = pairs.sort();
      } else if (type === 'hash') {
        out[name] = Object.fromEntries(
          Object.entries(await redis.hgetall(key)).map(([f, v]) => [f, round(v)]),
        );
      } else {
        out[name] = await redis.get(key);
      }
    }
  } while (cursor !== '0');
  return out;
}

/** The namespace's database and the feature store's Redis, both removed when `t` ends. */
async function freshStores(t: Test) {
  const clickhouse = await createTestDatabase(ns);
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(async () => {
    await deleteTestKeys(ns);
    redis.disconnect();
    await clickhouse.close();
    await dropTestDatabase(ns);
  });
  return { clickhouse, redis };
}

t.test('rebuild from the ClickHouse log', async (t) => {
  const { clickhouse, redis } = await freshStores(t);
  const placed = place(makeLog());
  await clickhouse.insert('items', items.map(toItemRow));
  await clickhouse.insert(
    'events',
    placed.map(({ event, partition, offset }) => toEventRow(event, { partition, offset })),
  );
  const catalog = new Map<string, ItemMeta | undefined>(
    items.map((item) => [item.item_id, toItemMeta(item)]),
  );

  // Reference: the live consumer applying the whole log, the partitions in reverse order (features
  // must not depend on how partitions interleave).
  const live = `${ns.redisPrefix}:live`;
  const maxLatenessMs = 3_600_000;
  const lateness = (e: EnrichedEvent) => Date.parse(e.received_at) - Date.parse(e.event_time);
  const compiled = (prefix: string, from: number) => {
    const ctx = compileContext(prefix, catalog);
    const byPartition = new Map<number, CompiledEvent[]>();
    for (const { event, partition, offset } of placed) {
      if (Number(offset) < from || lateness(event) > maxLatenessMs) continue;
      const list = byPartition.get(partition) ?? [];
      list.push({
        eventId: event.event_id,
        offset,
        receivedAtMs: Date.parse(event.received_at),
        ops: compileEvent(ctx, event),
      });
      byPartition.set(partition, list);
    }
    return byPartition;
  };
  const liveStore = createFeatureStore(redis, live);
  await redis.hset(
    featureKeys(live).itemMeta(),
    ...items.flatMap((i) => [i.item_id, JSON.stringify(toItemMeta(i))]),
  );
  for (const [partition, events] of [...compiled(live, 0)].sort(([a], [b]) => b - a))
    await liveStore.apply(`${TOPIC}/${partition}`, events);
  await liveStore.refreshCategoryTops();
  const reference = await dump(redis, live);
  t.ok(Object.keys(reference).length > 50, `the log produced ${Object.keys(reference).length} feature keys`);

  // The store lost its data; the live consumer has since applied offsets 30 and above.
  const restored = `${ns.redisPrefix}:restored`;
  const restoredStore = createFeatureStore(redis, restored);
  for (const [partition, events] of compiled(restored, 30))
    await restoredStore.apply(`${TOPIC}/${partition}`, events);
  /** A rebuild of the restored store from the log. */
  const rebuild = (options: Partial<Parameters<typeof rebuildFeatures>[0]> = {}) =>
    rebuildFeatures({
      clickhouse,
      redis,
      store: restoredStore,
      prefix: restored,
      eventsTopic: TOPIC,
      maxLatenessMs,
      ...options,
    });
  const progress: number[] = [];
  const report = await rebuild({
    now: () => T + 86_400_000,
    onProgress: (read) => progress.push(read),
  });
  t.match(report, {
    reset: false,
    catalogItems: 30,
    catalogRestored: 30,
    logged: placed.length,
    unpositioned: 0,
    read: placed.length,
    late: 1,
  });
  const liveApplied = placed.filter(
    ({ offset, event }) => Number(offset) >= 30 && lateness(event) <= maxLatenessMs,
  ).length;
  t.equal(
    report.alreadyApplied,
    liveApplied,
    'what the live consumer applied is recognised, not applied again',
  );
  t.equal(report.applied, placed.length - 1 - liveApplied, 'the rest is applied once');
  t.ok(report.unknownItemRefs > 0, 'references to an item missing from the catalog are counted');
  t.equal(
    await redis.exists(
      featureKeys(restored).itemWindows('sku-30'),
      featureKeys(restored).itemCovisits('sku-30'),
      featureKeys(restored).itemBoughtTogether('sku-30'),
    ),
    0,
    'and get no item keys: the rebuild skips them as live does',
  );
  t.equal(await redis.zscore(featureKeys(restored).itemPopularity(), 'sku-30'), null, 'nor popularity');
  t.ok(progress.length > 0 && progress.at(-1) === placed.length, 'progress is reported up to the end');
  const got = await dump(redis, restored);
  t.same(
    got,
    reference,
    'the restored store equals the live one, key for key (dev-0 logged in as u-0 in the part applied live: its earlier events, filled in afterwards, follow the alias)',
  );
  t.ok(await redis.hget(featureKeys(restored).state(), 'rebuilt_at'), 'the store is marked rebuilt');

  const again = await rebuild();
  t.equal(again.applied, 0, 'a second run applies nothing');
  t.same(await dump(redis, restored), reference, 'and changes nothing');

  await redis.zadd(featureKeys(restored).itemPopularity(), 1e6, 'corrupted');
  const reset = await rebuild({ reset: true });
  t.ok(reset.deletedKeys > 50, `reset deleted ${reset.deletedKeys} keys`);
  t.equal(reset.applied, placed.length - 1, 'and recomputed every event');
  t.same(
    await dump(redis, restored),
    reference,
    'a reset rebuild recomputes the same features (the corruption is gone)',
  );
});

t.test('a logged row of a type this version does not know is skipped and counted, as live', async (t) => {
  // Kafka has no authentication here: a producer that bypasses the collector can put any `type`
  // in the events topic. The sink keeps it (the log of record), the live feature consumer parks it
  // (the contract refuses it); a rebuild must neither crash on it nor apply it.
  const { clickhouse, redis } = await freshStores(t);
  const at = (ms: number) => new Date(T + ms).toISOString();
  const known: EnrichedEvent = {
    event_id: 'ev-known',
    schema_version: 1,
    type: 'view',
    item_id: 'sku-1',
    user_id: 'u-1',
    event_time: at(0),
    received_at: at(10),
    source: 'test',
  };
  const stranger = { ...known, event_id: 'ev-stranger', type: 'teleport' } as unknown as EnrichedEvent;
  await clickhouse.insert('items', items.map(toItemRow));
  await clickhouse.insert('events', [
    toEventRow(stranger, { partition: 0, offset: '0' }),
    toEventRow(known, { partition: 0, offset: '1' }),
  ]);
  const prefix = `${ns.redisPrefix}:unknown-type`;
  const report = await rebuildFeatures({
    clickhouse,
    redis,
    store: createFeatureStore(redis, prefix),
    prefix,
    eventsTopic: TOPIC,
    maxLatenessMs: 3_600_000,
    now: () => T + 60_000,
  });
  t.match(report, { read: 2, unknownTypes: 1, applied: 1, refused: 0 });
});
