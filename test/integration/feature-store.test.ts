/**
 * The feature store against the real local Redis: every feature family an event touches is
 * written, a redelivery or a retry's second copy changes nothing, instances on different
 * partitions add to the same items correctly, windows drop their old buckets, and a login merges
 * the anonymous shopper into the user once.
 */
import t from 'tap';
import { COVISIT_GAP_TAU_MS, compileContext, compileEvent } from '@recstream/feature/compile';
import {
  RENEWAL_PERIOD_MS,
  createFeatureStore,
  seenBucketOf,
  type CompiledEvent,
} from '@recstream/feature/store';
import {
  CATEGORY_TOP_MAX,
  SUBJECT_TTL_S,
  WINDOWS,
  bucketOf,
  currentCount,
  featureKeys,
  seenWindowS,
  toItemMeta,
  windowField,
  writeCatalog,
  type ItemMeta,
} from '@recstream/features';
import { createRedis } from '@recstream/redis';
import type { EnrichedEvent } from '@recstream/schemas';
import { deleteTestKeys, infra, testNamespace } from '@recstream/testing';

const ns = testNamespace('featstore');
const keys = featureKeys(ns.redisPrefix);
const T = Date.UTC(2026, 10, 24, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

// Items get features only when the catalog knows them; the later tests' items have no category.
const catalog = new Map<string, ItemMeta | undefined>(
  ['lip-1', 'lip-2', 'eye-1', 'conc-1', 'win-1', 'fill-1', 'dup-1'].map((id) => [
    id,
    toItemMeta({
      item_id: id,
      title: id,
      category_path: id.startsWith('lip')
        ? ['Beauty', 'Lips']
        : id.startsWith('eye')
          ? ['Beauty', 'Eyes']
          : [],
      brand: id === 'eye-1' ? 'Lumo' : 'Acme',
      price: 10,
      currency: 'EUR',
      availability: 'in_stock',
    }),
  ]),
);

let sequence = 0;
function event(fields: Partial<EnrichedEvent> & Pick<EnrichedEvent, 'type'>, atMs: number): EnrichedEvent {
  sequence += 1;
  return {
    event_id: `e${sequence}`,
    schema_version: 1,
    received_at: iso(atMs),
    event_time: iso(atMs),
    source: 'default',
    ...fields,
  } as EnrichedEvent;
}

function compile(events: readonly EnrichedEvent[], firstOffset: number): CompiledEvent[] {
  const ctx = compileContext(ns.redisPrefix, catalog);
  return events.map((e, i) => ({
    eventId: e.event_id,
    offset: String(firstOffset + i),
    receivedAtMs: Date.parse(e.received_at),
    ops: compileEvent(ctx, e),
  }));
}

t.test('feature store on real Redis', async (t) => {
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(async () => {
    await deleteTestKeys(ns);
    redis.disconnect();
  });
  const store = createFeatureStore(redis, ns.redisPrefix);
  await writeCatalog(
    redis,
    ns.redisPrefix,
    [...catalog.values()].filter((meta): meta is ItemMeta => meta !== undefined),
  );

  const session = { anonymous_id: 'dev-1', session_id: 's-1' };
  const anonymousEvents = [
    event({ ...session, type: 'view', item_id: 'lip-1' }, T),
    event({ ...session, type: 'view', item_id: 'lip-2' }, T + 60_000),
    event({ ...session, type: 'search', query: 'red lipstick' }, T + 90_000),
    event(
      { ...session, type: 'add_to_cart', item_id: 'lip-2', quantity: 1, price: 10, currency: 'EUR' },
      T + 120_000,
    ),
    event({ ...session, type: 'impression', item_ids: ['lip-1', 'eye-1'] }, T + 130_000),
  ];
  const first = compile(anonymousEvents, 0);
  t.equal(await store.apply('events/0', first), 5, 'five new events applied');
  t.equal(
    await store.apply('events/0', first),
    0,
    'redelivered (offsets at or below the watermark): nothing',
  );
  t.equal(
    await store.apply('events/0', compile([anonymousEvents[0] as EnrichedEvent], 5)),
    0,
    "a client retry's second copy (same id, new offset): nothing",
  );

  const anon = 'a:dev-1';
  t.same(
    await redis.zrange(keys.subjectSequence(anon), 0, -1),
    [`${T}:view:lip-1`, `${T + 60_000}:view:lip-2`, `${T + 120_000}:add_to_cart:lip-2`],
    'the sequence holds each interaction once, in time order',
  );
  t.same(await redis.zrange(keys.subjectCart(anon), 0, -1), ['lip-2'], 'cart');
  t.same(await redis.zrange(keys.subjectSearches(anon), 0, -1), ['red lipstick'], 'searches');
  t.same(
    await redis.zrange(keys.subjectCategoryAffinity(anon), 0, -1),
    ['Beauty > Lips'],
    'category affinity',
  );
  const covis = await redis.zrange(keys.itemCovisits('lip-1'), 0, -1, 'WITHSCORES');
  t.equal(covis[0], 'lip-2', 'lip-1 and lip-2 were viewed together');
  // view(lip-2) 1 min after view(lip-1), weight min(1, 1); add_to_cart(lip-2) 2 min after it, min(3, 1).
  const expected = Math.exp(-60_000 / COVISIT_GAP_TAU_MS) + Math.exp(-120_000 / COVISIT_GAP_TAU_MS);
  t.ok(Math.abs(Number(covis[1]) - expected) < 1e-9, `co-visitation weight ${covis[1]} = ${expected}`);
  t.equal(
    await redis.hget(
      keys.itemWindows('eye-1'),
      windowField('impression', WINDOWS[0]!, bucketOf(WINDOWS[0]!, T)),
    ),
    '1',
    'impressions counted per item shown',
  );
  t.same(
    await redis.hgetall(keys.globalCounts()),
    { view: '2', search: '1', add_to_cart: '1', impression: '2' },
    'global counts (impressions per item shown) for priors',
  );
  t.same(
    (await redis.smembers(keys.categoryPending())).sort(),
    ['lip-1', 'lip-2'],
    'the viewed and carted items wait for their category lists (impressions weigh nothing)',
  );
  t.equal(await redis.exists(keys.categoryPopularity('Beauty')), 0, 'no category list before a refresh');
  t.equal(await store.refreshCategoryTops(), 2, 'the refresh takes in both items');
  t.equal(await redis.exists(keys.categoryPending()), 0, 'and clears their marks');
  t.same(
    await redis.zrange(keys.categoryPopularity('Beauty'), 0, -1),
    ['lip-1', 'lip-2'],
    'category top list at every level, least popular first in Redis order',
  );
  t.same(
    await redis.zrange(keys.categoryPopularity('Beauty > Lips'), 0, -1),
    ['lip-1', 'lip-2'],
    'second level',
  );
  t.same(
    await redis.zmscore(keys.categoryPopularity('Beauty'), 'lip-1', 'lip-2'),
    await redis.zmscore(keys.itemPopularity(), 'lip-1', 'lip-2'),
    "a category's top list holds each item's own popularity",
  );

  // Login: the first event with both ids merges the anonymous shopper into the user, once.
  const login = event({ ...session, user_id: 'u-1', type: 'view', item_id: 'eye-1' }, T + 200_000);
  const again = event({ ...session, user_id: 'u-1', type: 'view', item_id: 'eye-1' }, T + 210_000);
  t.equal(await store.apply('events/0', compile([login, again], 6)), 2);
  const user = 'u:u-1';
  t.equal(await redis.get(keys.alias(anon)), user, 'the anonymous subject now points at the user');
  t.same(
    (await redis.zrange(keys.subjectSequence(user), 0, -1)).map((m) => m.split(':').slice(1).join(':')),
    ['view:lip-1', 'view:lip-2', 'add_to_cart:lip-2', 'view:eye-1', 'view:eye-1'],
    'the user has the anonymous history, merged once (not twice for the second event)',
  );
  t.same(await redis.zrange(keys.subjectCart(user), 0, -1), ['lip-2'], 'cart merged');

  // Purchase: out of the cart, into purchased, bought-together pairs.
  const purchase = event(
    {
      user_id: 'u-1',
      session_id: 's-1',
      type: 'purchase',
      order_id: 'o-1',
      currency: 'EUR',
      items: [
        { item_id: 'lip-2', price: 10, quantity: 1 },
        { item_id: 'eye-1', price: 12, quantity: 1 },
      ],
    },
    T + 300_000,
  );
  t.equal(await store.apply('events/0', compile([purchase], 8)), 1);
  t.same(
    await redis.zrange(keys.subjectCartRemovals(user), 0, -1, 'WITHSCORES'),
    ['eye-1', String(T + 300_000), 'lip-2', String(T + 300_000)],
    'purchased items leave the cart: recorded as removed after they were added',
  );
  t.same((await redis.zrange(keys.subjectPurchased(user), 0, -1)).sort(), ['eye-1', 'lip-2']);
  t.same(await redis.zrange(keys.itemBoughtTogether('lip-2'), 0, -1, 'WITHSCORES'), ['eye-1', '1']);
  t.same(
    await redis.hgetall(keys.appliedOffsets()),
    { 'events/0': '8', 'first:events/0': '0' },
    'the watermark is the last offset; the first offset covered is recorded for rebuilds',
  );
});

t.test('partitions applied concurrently add up exactly; redelivery of both changes nothing', async (t) => {
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const store = createFeatureStore(redis, ns.redisPrefix);
  const item = 'conc-1';
  const perPartition = 400;
  const batches = [0, 1, 2, 3].map((p) =>
    compile(
      Array.from({ length: perPartition }, (_, i) =>
        event({ user_id: `p${p}-u${i % 7}`, type: 'click', item_id: item }, T + i * 1000),
      ),
      0,
    ),
  );
  const applied = await Promise.all(batches.map((batch, p) => store.apply(`events/${p}`, batch)));
  t.same(applied, [perPartition, perPartition, perPartition, perPartition]);
  const again = await Promise.all(batches.map((batch, p) => store.apply(`events/${p}`, batch)));
  t.same(again, [0, 0, 0, 0], 'a rebalance redelivering everything applies nothing');
  const clicks = await redis.hget(
    keys.itemWindows(item),
    windowField('click', WINDOWS[2]!, bucketOf(WINDOWS[2]!, T)),
  );
  t.equal(Number(clicks), 4 * perPartition, 'the 7 d window counted every click once');
  const score = Number(await redis.zscore(keys.itemPopularity(), item));
  // Four partitions each clicked at T + i s, i < perPartition; read one step after the last.
  let exact = 0;
  for (let i = 0; i < perPartition; i += 1) exact += 4 * Math.exp(-((perPartition - i) * 1000) / 86_400_000);
  const decayed = currentCount(score, T + perPartition * 1000);
  t.ok(
    Math.abs(decayed - exact) < 1e-6 * exact,
    `the decayed popularity ${decayed} is the exact sum of every click, ${exact}`,
  );
});

t.test(
  'windows: old buckets leave the hash as time moves on; events older than the window are ignored',
  async (t) => {
    const redis = createRedis(infra.featureRedisUrl);
    await redis.connect();
    t.teardown(() => redis.disconnect());
    const store = createFeatureStore(redis, ns.redisPrefix);
    const item = 'win-1';
    const hour = 3_600_000;
    const day = 24 * hour;
    const times = [T, T + 2 * hour, T + 30 * hour, T + 8 * day, T + 9 * day];
    const views = times.map((ms) => event({ type: 'view', item_id: item }, ms));
    await store.apply('events/9', compile(views, 0));
    const fields = Object.keys(await redis.hgetall(keys.itemWindows(item))).filter(
      (f) => !f.startsWith('head:'),
    );
    const [oneHour, oneDay, sevenDays] = WINDOWS as [
      (typeof WINDOWS)[0],
      (typeof WINDOWS)[0],
      (typeof WINDOWS)[0],
    ];
    const last = T + 9 * day;
    t.same(
      fields.sort(),
      [
        windowField('view', oneHour, bucketOf(oneHour, last)),
        windowField('view', oneDay, bucketOf(oneDay, T + 8 * day)),
        windowField('view', oneDay, bucketOf(oneDay, last)),
        windowField('view', sevenDays, bucketOf(sevenDays, T + 8 * day)),
        windowField('view', sevenDays, bucketOf(sevenDays, last)),
      ].sort(),
      'only buckets inside each window remain',
    );
    const stale = event({ type: 'view', item_id: item }, T);
    await store.apply('events/9', compile([stale], 5));
    t.notOk(
      await redis.hexists(keys.itemWindows(item), windowField('view', sevenDays, bucketOf(sevenDays, T))),
      'an event older than the 7 d window does not resurrect its bucket',
    );
  },
);

t.test('a rebuild (fill mode) applies exactly what the live consumer did not', async (t) => {
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const store = createFeatureStore(redis, ns.redisPrefix);
  const item = 'fill-1';
  const log = compile(
    Array.from({ length: 13 }, (_, i) =>
      event({ user_id: 'f-u', type: 'view', item_id: item }, T + i * 1000),
    ),
    0,
  );
  const views = async () =>
    Number(
      await redis.hget(keys.itemWindows(item), windowField('view', WINDOWS[2]!, bucketOf(WINDOWS[2]!, T))),
    );
  // The store lost offsets 0-4 (or never had them): the live consumer starts at 5.
  t.equal(await store.apply('events/5', log.slice(5, 10)), 5, 'live applies 5-9');
  const replayed = log.slice(0, 12);
  t.equal(await store.apply('events/5', replayed, 'fill'), 7, 'the rebuild fills 0-4 and goes on with 10-11');
  t.equal(await views(), 12, 'each of offsets 0-11 counted once');
  t.equal(
    await store.apply('events/5', replayed, 'fill'),
    0,
    'a rebuild run again (or resumed) adds nothing',
  );
  t.equal(await store.apply('events/5', log.slice(5, 13)), 1, 'the live consumer catches up: only 12 is new');
  t.equal(await views(), 13);
  t.same(await redis.hmget(keys.appliedOffsets(), 'events/5', 'first:events/5', 'fill:events/5'), [
    '12',
    '5',
    '4',
  ]);
  const bucket = keys.seenEvents(seenBucketOf(T));
  const recorded = await redis.smismember(bucket, ...log.slice(0, 5).map((e) => e.eventId));
  t.same(recorded, [0, 0, 0, 0, 0], 'replayed old events leave no seen ids behind');
  t.same(
    await redis.smismember(bucket, ...log.slice(5, 10).map((e) => e.eventId)),
    [1, 1, 1, 1, 1],
    'the live consumer records every id, however old',
  );
});

t.test(
  'after a login, anonymous-only events (later, or applied late from another partition) reach the user',
  async (t) => {
    const redis = createRedis(infra.featureRedisUrl);
    await redis.connect();
    t.teardown(() => redis.disconnect());
    const store = createFeatureStore(redis, ns.redisPrefix);
    const device = { anonymous_id: 'dev-follow' };
    const login = event({ ...device, user_id: 'u-follow', type: 'view', item_id: 'lip-1' }, T + 10_000);
    const earlier = event({ ...device, type: 'view', item_id: 'lip-2' }, T);
    const afterLogout = event(
      { ...device, type: 'add_to_cart', item_id: 'eye-1', quantity: 1, price: 12, currency: 'EUR' },
      T + 20_000,
    );
    // The login's partition is applied first; the earlier anonymous view comes from another one.
    t.equal(await store.apply('events/21', compile([login], 0)), 1);
    t.equal(await store.apply('events/22', compile([earlier, afterLogout], 0)), 2);
    const user = 'u:u-follow';
    t.same(
      (await redis.zrange(keys.subjectSequence(user), 0, -1)).map((m) => m.split(':').slice(1).join(':')),
      ['view:lip-2', 'view:lip-1', 'add_to_cart:eye-1'],
      "the user's sequence has all three, in time order",
    );
    t.same(await redis.zrange(keys.subjectCart(user), 0, -1), ['eye-1'], 'the cart too');
    t.equal(
      await redis.exists(keys.subjectSequence('a:dev-follow')),
      0,
      'nothing is left on the anonymous subject',
    );
  },
);

t.test(
  'two copies of one event in the same chunk count once; a conflict leaves nothing half-applied',
  async (t) => {
    const redis = createRedis(infra.featureRedisUrl);
    await redis.connect();
    t.teardown(() => redis.disconnect());
    const store = createFeatureStore(redis, ns.redisPrefix);
    const item = 'dup-1';
    const view = event({ user_id: 'dup-u', type: 'view', item_id: item }, T);
    const other = event({ user_id: 'dup-u', type: 'view', item_id: item }, T + 1000);
    const [a, b] = compile([view, other], 0) as [CompiledEvent, CompiledEvent];
    const copy = { ...a, offset: '2' };
    t.equal(await store.apply('events/31', [a, b, copy]), 2, 'the second copy in the chunk is a duplicate');
    const views = async () =>
      Number(
        await redis.hget(keys.itemWindows(item), windowField('view', WINDOWS[2]!, bucketOf(WINDOWS[2]!, T))),
      );
    t.equal(await views(), 2);
    // Offsets 0-2 again plus a new one: the store judges the first three old, the last new.
    const third = compile([event({ user_id: 'dup-u', type: 'view', item_id: item }, T + 2000)], 3);
    t.equal(await store.apply('events/31', [a, b, copy, ...third]), 1, 'only the new event is applied');
    t.equal(await views(), 3, 'and it is counted once');
  },
);

t.test(
  'a key written again within the renewal period keeps its expiry; the next period renews it',
  async (t) => {
    const redis = createRedis(infra.featureRedisUrl);
    await redis.connect();
    t.teardown(() => redis.disconnect());
    let now = T + 1000;
    const store = createFeatureStore(redis, ns.redisPrefix, () => now);
    const view = (atMs: number) => event({ user_id: 'ttl-u', type: 'view', item_id: 'lip-1' }, atMs);
    const sequence = keys.subjectSequence('u:ttl-u');
    t.equal(await store.apply('events/41', compile([view(T)], 0)), 1);
    t.ok((await redis.ttl(sequence)) > SUBJECT_TTL_S - 60, 'the first write sets the expiry');
    await redis.expire(sequence, 1000);
    t.equal(await store.apply('events/41', compile([view(T + 1)], 1)), 1);
    t.ok((await redis.ttl(sequence)) <= 1000, 'written again in the same period: not renewed');
    now += RENEWAL_PERIOD_MS;
    t.equal(await store.apply('events/41', compile([view(T + 2)], 2)), 1);
    t.ok((await redis.ttl(sequence)) > SUBJECT_TTL_S - 60, 'written in the next period: renewed');
  },
);

t.test('a category refresh keeps the most popular items up to the cap and drops unknown items', async (t) => {
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const prefix = `${ns.redisPrefix}:cats`;
  const catKeys = featureKeys(prefix);
  const store = createFeatureStore(redis, prefix);
  const ids = Array.from({ length: CATEGORY_TOP_MAX + 5 }, (_, i) => `c-${i}`);
  await writeCatalog(
    redis,
    prefix,
    ids.map((id) =>
      toItemMeta({
        item_id: id,
        title: id,
        category_path: ['Home'],
        price: 1,
        currency: 'EUR',
        availability: 'in_stock',
      }),
    ),
  );
  await redis.zadd(catKeys.itemPopularity(), ...ids.flatMap((id, i) => [i, id]), 99, 'ghost');
  await redis.sadd(catKeys.categoryPending(), ...ids, 'ghost');
  t.equal(await store.refreshCategoryTops(), ids.length + 1, 'every mark taken, over several steps');
  t.equal(await redis.exists(catKeys.categoryPending()), 0, 'none left');
  const list = catKeys.categoryPopularity('Home');
  t.equal(await redis.zcard(list), CATEGORY_TOP_MAX, 'capped');
  t.same(await redis.zrange(list, 0, 0), ['c-5'], 'the least popular items left the list');
  t.equal(await redis.zscore(list, 'ghost'), null, 'an item the catalog does not know is left out');
});

t.test('a batch of many chunks, sent at once, applies each new event exactly once', async (t) => {
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const store = createFeatureStore(redis, ns.redisPrefix);
  const views = Array.from({ length: 450 }, (_, i) =>
    event({ user_id: `many-${i % 7}`, type: 'view', item_id: 'eye-1' }, T + i),
  );
  // Offsets 0–449; the event at offset 300 is a client retry's copy of the one at offset 100.
  const compiled = compile(views, 0).map((e, i) => (i === 300 ? { ...e, eventId: views[100]!.event_id } : e));
  const counted = async () =>
    Number(
      await redis.hget(keys.itemWindows('eye-1'), windowField('view', WINDOWS[2]!, bucketOf(WINDOWS[2]!, T))),
    );
  const before = await counted();
  t.equal(await store.apply('events/51', compiled.slice(0, 250)), 250, 'the first 250, in two chunks');
  t.equal(
    await store.apply('events/51', compiled),
    199,
    'redelivered with 200 more (three chunks): the 200 new ones less the copy',
  );
  t.equal(await counted(), before + 449, 'each event counted once');
  t.equal(await redis.hget(keys.appliedOffsets(), 'events/51'), '449', 'the watermark is the last offset');
  t.equal(await store.apply('events/51', compiled), 0, 'all of it again: nothing');
});

t.test('a copy accepted as on time is caught however late within the lateness bound', async (t) => {
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const minute = 60_000;
  const maxLatenessMs = 60 * minute;
  let now = T;
  const store = createFeatureStore(redis, ns.redisPrefix, () => now, {
    seenWindowS: seenWindowS(maxLatenessMs),
  });
  const original = event({ user_id: 'late-copy', type: 'view', item_id: 'dup-1' }, T);
  t.equal(await store.apply('events/61', compile([original], 0)), 1, 'the original');
  // The client's offline queue sends it again, same id and timestamp: received later, on time
  // still (lateness = receive time − event time ≤ 1 h), so the handler passes it to the store.
  for (const [offset, delay] of [
    [1, 16 * minute],
    [2, 40 * minute],
    [3, 59 * minute],
  ] as const) {
    now = T + delay;
    const copy = { ...original, received_at: new Date(T + delay).toISOString() };
    t.ok(Date.parse(copy.received_at) - Date.parse(copy.event_time) <= maxLatenessMs, 'on time');
    t.equal(
      await store.apply('events/61', compile([copy], offset)),
      0,
      `a copy ${delay / minute} min later: nothing`,
    );
  }
  // Its client clock was 4 min ahead when the original came: still caught.
  const ahead = event({ user_id: 'late-copy', type: 'view', item_id: 'dup-1' }, T + 4 * minute);
  const first = { ...ahead, received_at: iso(T) };
  now = T;
  t.equal(await store.apply('events/61', compile([first], 4)), 1);
  now = T + 64 * minute;
  t.equal(
    await store.apply('events/61', compile([{ ...ahead, received_at: iso(T + 64 * minute) }], 5)),
    0,
    'a copy 64 min after an original stamped 4 min ahead: nothing',
  );
});
