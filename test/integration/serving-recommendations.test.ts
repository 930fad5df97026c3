/**
 * The recommendation endpoints of serving against the real local Redis, with every feature written
 * by the real writer (the feature service's event compiler and apply-once store) from shop traffic:
 * sessions that view tents with stoves and lamps, lipsticks with eye shadows, orders, a popular
 * item out of stock. Checks what a shop would notice: the answer follows the last click with a
 * reason naming it, purchases and cart items are not offered again, filters and merchandising rules
 * hold, lists are varied, newcomers and new items get sensible answers, a Redis outage degrades to
 * popular items (or 503 when nothing is cached) and bad input is refused with 400.
 */
import t, { type Test } from 'tap';
import { createMetrics } from '@recstream/metrics';
import { createRedis, type Redis } from '@recstream/redis';
import type { BatchResponse, CatalogItem, EnrichedEvent, RecommendationsResponse } from '@recstream/schemas';
import { servingApp } from '../support/serving-app.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from '@recstream/serving/settings';
import { deleteTestKeys, infra, startTcpProxy, testNamespace } from '@recstream/testing';
import { createEventFactory, createFeatureWriter } from '../support/shop-events.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Requests are answered at this time; events happen before it. */
const NOW = Date.now();
const MAX_K = 50;

const LIPS = ['Beauty', 'Makeup', 'Lips'];
const EYES = ['Beauty', 'Makeup', 'Eyes'];
const catalog: CatalogItem[] = (
  [
    ['lip-1', LIPS, 'Acme', 15, 'in_stock'],
    ['lip-2', LIPS, 'Bloom', 15, 'in_stock'],
    ['lip-3', LIPS, 'Acme', 16, 'in_stock'],
    ['lip-4', LIPS, 'Acme', 17, 'in_stock'],
    ['lip-oos', LIPS, 'Acme', 15, 'out_of_stock'],
    ['lip-new', LIPS, 'Bloom', 18, 'in_stock'],
    ['eye-1', EYES, 'Acme', 20, 'in_stock'],
    ['eye-2', EYES, 'Bloom', 21, 'in_stock'],
    ['eye-pre', EYES, 'Acme', 22, 'preorder'],
    ['cream-1', ['Beauty', 'Skin'], 'Pure', 35, 'in_stock'],
    ['tent-1', ['Outdoor', 'Camping', 'Tents'], 'Trail', 150, 'in_stock'],
    ['tent-2', ['Outdoor', 'Camping', 'Tents'], 'Trail', 120, 'in_stock'],
    ['stove-1', ['Outdoor', 'Camping', 'Stoves'], 'Trail', 80, 'in_stock'],
    ['lamp-1', ['Outdoor', 'Camping', 'Lamps'], 'Glow', 25, 'in_stock'],
  ] as const
).map(([item_id, category_path, brand, price, availability]) => ({
  item_id,
  title: `Title ${item_id}`,
  category_path: [...category_path],
  brand,
  price,
  currency: 'EUR',
  availability,
  updated_at: new Date(NOW - 30 * 24 * HOUR).toISOString(),
}));

const event = createEventFactory();

/** Other shoppers' traffic: what co-visitation, bought-together, popularity and trending come from. */
function shopTraffic(): EnrichedEvent[] {
  const events: EnrichedEvent[] = [];
  const session = (n: number, startMs: number, items: readonly string[]) =>
    items.forEach((item_id, i) =>
      events.push(
        event(startMs + i * MINUTE, { anon: `shopper-${n}`, session: `s-${n}` }, { type: 'view', item_id }),
      ),
    );
  let n = 0;
  // Campers look at a tent, then a stove and a lamp; some compare the two tents.
  for (let i = 0; i < 6; i += 1)
    session(n++, NOW - 3 * HOUR + i * 10 * MINUTE, ['tent-1', 'stove-1', 'lamp-1']);
  for (let i = 0; i < 3; i += 1) session(n++, NOW - 2 * HOUR + i * 10 * MINUTE, ['tent-1', 'tent-2']);
  // Make-up shoppers browse lipsticks and eye shadows.
  for (let i = 0; i < 5; i += 1)
    session(n++, NOW - 90 * MINUTE + i * 5 * MINUTE, ['lip-1', 'lip-2', 'eye-1']);
  // Popularity: lipsticks lead, the most popular of all is out of stock.
  const views: [string, number][] = [
    ['lip-oos', 40],
    ['lip-1', 30],
    ['lip-2', 25],
    ['lip-3', 26],
    ['lip-4', 24],
    ['eye-1', 10],
    ['eye-2', 10],
    ['eye-pre', 9],
    ['cream-1', 8],
    ['lamp-1', 3],
  ];
  for (const [item_id, count] of views) {
    for (let i = 0; i < count; i += 1) {
      events.push(
        event(
          NOW - 50 * MINUTE + i * 20 * SECOND,
          { anon: `viewer-${item_id}-${i}` },
          { type: 'view', item_id },
        ),
      );
    }
  }
  // Orders: tents bought together (substitutes), and with a stove or a lamp (complements).
  const orders = [
    ['tent-1', 'tent-2'],
    ['tent-1', 'tent-2'],
    ['tent-1', 'tent-2'],
    ['tent-1', 'stove-1'],
    ['tent-1', 'stove-1'],
    ['tent-1', 'lamp-1'],
  ];
  orders.forEach((items, i) =>
    events.push(event(NOW - 40 * MINUTE + i * MINUTE, { user: `buyer-${i}` }, { type: 'purchase', items })),
  );
  return events.sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time));
}

/** A namespace filled with the catalog, `write` through the real feature writer, and `app(...)`. */
async function setup(t: Test) {
  const ns = testNamespace('servrec');
  const redis: Redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  t.teardown(async () => {
    await deleteTestKeys(ns);
    redis.disconnect();
  });
  const prefix = ns.redisPrefix;
  const writeEvents = await createFeatureWriter(redis, prefix, catalog);
  const write = async (...events: EnrichedEvent[]) => {
    if ((await writeEvents(events)) !== events.length) throw new Error('the writer skipped events');
  };
  const app = async (settings: Partial<PipelineSettings> = {}, client: Redis = redis) => {
    const metrics = createMetrics('serving', { defaultMetrics: false });
    const instance = await servingApp(t, {
      metrics,
      redis: client,
      redisPrefix: prefix,
      maxK: MAX_K,
      settings: { ...DEFAULT_SETTINGS, ...settings },
      clock: () => NOW,
    });
    const get = async (url: string) => {
      const response = await instance.inject({ method: 'GET', url });
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
      return response.json<RecommendationsResponse>();
    };
    return { instance, get, metrics };
  };
  return { redis, prefix, write, app };
}

const ids = (answer: RecommendationsResponse) => answer.items.map((i) => i.item_id);
const itemOf = (answer: RecommendationsResponse, itemId: string) =>
  answer.items.find((i) => i.item_id === itemId);

t.test('recommendations from the real feature store', async (t) => {
  const { write, app } = await setup(t);
  await write(...shopTraffic());
  const { get, instance, metrics } = await app();

  await t.test('the answer follows the last click, with a reason naming it', async (t) => {
    const alice = { user: 'u-alice', session: 'alice-1' };
    await write(
      event(NOW - 2 * HOUR, alice, { type: 'view', item_id: 'lip-1' }),
      event(NOW - 2 * HOUR + MINUTE, alice, { type: 'view', item_id: 'lip-3' }),
    );
    const before = await get('/v1/recommendations?user_id=u-alice&k=5');
    t.notOk(ids(before).slice(0, 2).includes('stove-1'), `before: ${ids(before).join(', ')}`);
    t.equal(before.degraded, false);
    t.match(before.request_id, /^[0-9a-f-]{36}$/, 'a request id to send back with clicks');

    await write(
      event(NOW - SECOND, { user: 'u-alice', session: 'alice-2' }, { type: 'view', item_id: 'tent-1' }),
    );
    const started = process.hrtime.bigint();
    const after = await get('/v1/recommendations?user_id=u-alice&k=5');
    t.comment(`one personalised request: ${Number(process.hrtime.bigint() - started) / 1e6} ms`);
    t.same(
      after.items[0]?.reason,
      { code: 'because_you_viewed', text: 'Because you viewed Title tent-1' },
      `after: ${ids(after).join(', ')}`,
    );
    // Both neighbours of the tent, within the top three (diversity may slip another category between).
    t.ok(['stove-1', 'lamp-1'].every((id) => ids(after).slice(0, 3).includes(id)));
    t.same(itemOf(after, 'stove-1')?.reason, {
      code: 'because_you_viewed',
      text: 'Because you viewed Title tent-1',
    });
    t.equal(itemOf(after, 'stove-1')?.source, 'covisit_recent');
    t.match(itemOf(after, 'stove-1'), {
      title: 'Title stove-1',
      category: 'Outdoor > Camping > Stoves',
      brand: 'Trail',
      price: 80,
      currency: 'EUR',
    });
    t.notOk(ids(after).includes('lip-oos'), 'the out-of-stock favourite is never offered');
    t.notOk(
      ids(after).includes('tent-1') || ids(after).includes('lip-1'),
      'what she just looked at is not offered back',
    );
  });

  await t.test('purchases and cart items are not offered again', async (t) => {
    const bob = { user: 'u-bob', session: 'bob-1' };
    await write(
      event(NOW - 5 * MINUTE, bob, { type: 'view', item_id: 'tent-1' }),
      event(NOW - 4 * MINUTE, bob, { type: 'purchase', items: ['lamp-1'] }),
      event(NOW - 3 * MINUTE, bob, { type: 'add_to_cart', item_id: 'cream-1' }),
    );
    const answer = await get(`/v1/recommendations?user_id=u-bob&k=${MAX_K}`);
    t.ok(ids(answer).includes('stove-1'), 'the other neighbour of the tent is there');
    t.notOk(ids(answer).includes('lamp-1'), 'bought: left out');
    t.notOk(ids(answer).includes('cream-1'), 'in the cart: left out');
    const keep = await app({ excludePurchased: false });
    t.ok(
      ids(await keep.get(`/v1/recommendations?user_id=u-bob&k=${MAX_K}`)).includes('lamp-1'),
      'configurable',
    );
  });

  await t.test('filters from the request', async (t) => {
    const outdoor = await get('/v1/recommendations?user_id=u-alice&k=10&category_prefix=Outdoor');
    t.ok(outdoor.items.length >= 3, `non-empty: ${ids(outdoor).join(', ')}`);
    t.ok(
      outdoor.items.every((i) => i.category.startsWith('Outdoor > ')),
      'only Outdoor',
    );
    const cheap = await get('/v1/recommendations?user_id=u-alice&k=20&price_min=16&price_max=30');
    t.ok(cheap.items.length > 0);
    t.ok(
      cheap.items.every((i) => i.price >= 16 && i.price <= 30),
      `prices: ${cheap.items.map((i) => i.price).join(',')}`,
    );
    const all = await get(`/v1/recommendations?anonymous_id=nobody-yet&k=${MAX_K}`);
    t.ok(ids(all).includes('eye-pre'), 'preorders are offered by default');
    const stocked = await get(`/v1/recommendations?anonymous_id=nobody-yet&k=${MAX_K}&in_stock=true`);
    t.notOk(ids(stocked).includes('eye-pre'), 'but not when in stock is asked');
    const excluded = await get('/v1/recommendations?user_id=u-alice&k=10&exclude=stove-1,lamp-1');
    t.notOk(ids(excluded).includes('stove-1') || ids(excluded).includes('lamp-1'), ids(excluded).join(', '));
    const onPage = await get('/v1/recommendations?user_id=u-alice&k=10&item_id=stove-1');
    t.notOk(ids(onPage).includes('stove-1'), 'the item on the page is not recommended on it');
  });

  await t.test('merchandising rules: pin, boost, bury, brand cap', async (t) => {
    const base = await get(`/v1/recommendations?anonymous_id=rules-1&k=${MAX_K}`);
    const pinned = await get(`/v1/recommendations?anonymous_id=rules-1&k=5&pin=tent-2,lip-oos`);
    t.equal(pinned.items[0]?.item_id, 'tent-2', 'pinned first');
    t.same(pinned.items[0]?.reason, { code: 'pinned', text: 'Featured' });
    t.notOk(ids(pinned).includes('lip-oos'), 'a pinned item that cannot be sold is still left out');
    t.equal(pinned.items.length, 5);

    const position = (answer: RecommendationsResponse, itemId: string) => ids(answer).indexOf(itemId);
    const baseCream = position(base, 'cream-1');
    t.ok(baseCream > 0, `cream-1 is offered below the top: ${baseCream}`);
    const boosted = await get(`/v1/recommendations?anonymous_id=rules-1&k=${MAX_K}&boost=cream-1`);
    t.ok(
      position(boosted, 'cream-1') < baseCream,
      `boosted up from ${baseCream} to ${position(boosted, 'cream-1')}`,
    );
    const buried = await get(
      `/v1/recommendations?anonymous_id=rules-1&k=${MAX_K}&bury=${ids(base)[0] ?? ''}`,
    );
    t.equal(ids(buried).at(-1), ids(base)[0], 'the buried leader comes last');
    const capped = await get(`/v1/recommendations?anonymous_id=rules-1&k=${MAX_K}&brand_cap=1`);
    const brands = capped.items.map((i) => i.brand);
    t.same(brands, [...new Set(brands)], `one item per brand: ${brands.join(', ')}`);

    const standing = await app({ rules: { bury: [{ brands: ['Acme'] }], brandCap: 2 } });
    const ruled = await standing.get(`/v1/recommendations?anonymous_id=rules-1&k=${MAX_K}`);
    const acme = ruled.items.filter((i) => i.brand === 'Acme');
    t.equal(acme.length, 2, 'the service brand cap applies');
    t.same(
      ruled.items.slice(-2).map((i) => i.brand),
      ['Acme', 'Acme'],
      'the service rule buries a brand',
    );
  });

  await t.test('diversity spreads categories', async (t) => {
    const plain = await app({ diversityLambda: 1 });
    const varied = await app({ diversityLambda: 0.5 });
    const categories = (answer: RecommendationsResponse) => new Set(answer.items.map((i) => i.category)).size;
    const top = await plain.get('/v1/recommendations?anonymous_id=div-1&k=4');
    const spread = await varied.get('/v1/recommendations?anonymous_id=div-1&k=4');
    const lips = (answer: RecommendationsResponse) =>
      answer.items.filter((i) => i.category.endsWith('Lips')).length;
    t.ok(lips(top) >= 3, `ranking alone: mostly lipsticks (${ids(top).join(', ')})`);
    t.ok(categories(spread) >= 3, `with diversity: ${spread.items.map((i) => i.category).join(' | ')}`);
    t.ok(lips(spread) < lips(top), 'fewer near-duplicates');
    t.equal(spread.items[0]?.item_id, top.items[0]?.item_id, 'the best item still leads');
  });

  await t.test('cold start: new shopper, new session, new item, unknown category', async (t) => {
    for (const query of [
      'user_id=u-never-seen',
      'anonymous_id=fresh-device&session_id=fresh-session',
      'session_id=only-session',
      '',
    ]) {
      const answer = await get(`/v1/recommendations?k=5&${query}`);
      t.equal(answer.items.length, 5, `${query || 'no ids'}: a full answer`);
      t.ok(
        answer.items.every((i) => i.reason.code === 'trending_now' || i.reason.code === 'popular_now'),
        `${query}: trending and popular`,
      );
    }
    const unknownCategory = await get(
      '/v1/recommendations?k=5&user_id=u-never-seen&category=Garden%20%3E%20Hoses',
    );
    t.equal(unknownCategory.items.length, 5, 'an unknown page category still gets an answer');

    const similar = await get('/v1/items/tent-1/similar?k=3');
    t.same(ids(similar).slice(0, 2).sort(), ['lamp-1', 'stove-1'], ids(similar).join(', '));
    t.equal(itemOf(similar, 'stove-1')?.reason.text, 'Often viewed with Title tent-1');
    const newItem = await get('/v1/items/lip-new/similar?k=3');
    t.equal(newItem.items.length, 3);
    t.ok(
      newItem.items.every((i) => i.category === 'Beauty > Makeup > Lips'),
      `same category: ${ids(newItem).join(', ')}`,
    );
    t.same(newItem.items[0]?.reason, { code: 'popular_in_category', text: 'Popular in Lips today' });
    t.notOk(ids(newItem).includes('lip-new'), 'never itself');
    const unknown = await get('/v1/items/not-in-catalog/similar?k=3');
    t.equal(unknown.items.length, 3, 'an unknown item gets popular items');
    const longest = await get(`/v1/items/${'x'.repeat(128)}/similar?k=3`);
    t.equal(longest.items.length, 3, 'an id as long as the contract allows is a valid path');
  });

  await t.test('complements: bought together, other categories first', async (t) => {
    const response = await instance.inject({
      method: 'POST',
      url: '/v1/recommendations/complements',
      payload: { item_ids: ['tent-1'], k: 3 },
    });
    t.equal(response.statusCode, 200);
    const answer = response.json<RecommendationsResponse>();
    t.same(
      ids(answer).slice(0, 2).sort(),
      ['lamp-1', 'stove-1'],
      `the other tent, bought more often, is demoted: ${ids(answer).join(', ')}`,
    );
    t.same(itemOf(answer, 'stove-1')?.reason, {
      code: 'bought_together',
      text: 'Bought together with Title tent-1',
    });
    t.notOk(ids(answer).includes('tent-1'));
    const fresh = await instance.inject({
      method: 'POST',
      url: '/v1/recommendations/complements',
      payload: { item_ids: ['lip-new'] },
    });
    t.equal(
      fresh.json<RecommendationsResponse>().items.length,
      10,
      'a cart nothing was bought with: popular fill, default k',
    );
  });

  await t.test('batch for campaigns', async (t) => {
    const response = await instance.inject({
      method: 'POST',
      url: '/v1/recommendations/batch',
      payload: {
        requests: [
          { user_id: 'u-alice', k: 2 },
          { user_id: 'u-bob', k: 3 },
          { user_id: 'u-new', k: 1 },
        ],
      },
    });
    t.equal(response.statusCode, 200);
    const { results } = response.json<BatchResponse>();
    t.same(
      results.map((r) => [r.user_id, r.items.length]),
      [
        ['u-alice', 2],
        ['u-bob', 3],
        ['u-new', 1],
      ],
    );
    t.equal(new Set(results.map((r) => r.request_id)).size, 3, 'one request id per user');
    t.notOk(
      results[1]?.items.some((i) => i.item_id === 'lamp-1'),
      "bob's purchase is left out in batches too",
    );
  });

  await t.test('bad input is refused with a clear 400', async (t) => {
    const cases: [string, RegExp][] = [
      ['/v1/recommendations?k=0', /k must be >= 1/],
      [`/v1/recommendations?k=${MAX_K + 1}`, new RegExp(`k must be <= ${MAX_K}`)],
      ['/v1/recommendations?k=1000000', /k must be <=/],
      ['/v1/recommendations?k=ten', /k must be integer/],
      ["/v1/recommendations?user_id=x'%20OR%201=1", /user_id must match pattern/],
      ['/v1/recommendations?anonymous_id=%3Cscript%3E', /anonymous_id must match pattern/],
      ['/v1/recommendations?exclude=a,,b', /exclude must match pattern/],
      ['/v1/recommendations?exclude=a%20b', /exclude must match pattern/],
      ['/v1/recommendations?price_min=5&price_max=1', /price_min \(5\) must not exceed price_max \(1\)/],
      ['/v1/recommendations?price_min=cheap', /price_min must be number/],
      ['/v1/recommendations?price_max=-1', /price_max must be >= 0/],
      ['/v1/recommendations?in_stock=maybe', /in_stock must be boolean/],
      [
        `/v1/recommendations?exclude=${Array.from({ length: 101 }, (_, i) => `x${i}`).join(',')}`,
        /at most 100 ids/,
      ],
      ['/v1/items/a%27%20OR%201=1/similar', /item_id must match pattern/],
      ['/v1/items/tent-1/similar?k=0', /k must be >= 1/],
    ];
    for (const [url, message] of cases) {
      const response = await instance.inject({ method: 'GET', url });
      t.equal(response.statusCode, 400, url);
      const { error } = response.json<{ error: { code: string; message: string } }>();
      t.equal(error.code, 'REC_ERR_INVALID_INPUT');
      t.match(error.message, message, `${url}: ${error.message}`);
    }
    const posts: [string, unknown][] = [
      ['/v1/recommendations/complements', { item_ids: [] }],
      ['/v1/recommendations/complements', { item_ids: ['ok', 'DROP TABLE;'] }],
      ['/v1/recommendations/complements', { item_ids: ['ok'], k: 0 }],
      ['/v1/recommendations/batch', { requests: [] }],
      [
        '/v1/recommendations/batch',
        { requests: Array.from({ length: 101 }, (_, i) => ({ user_id: `u${i}`, k: 1 })) },
      ],
      ['/v1/recommendations/batch', { requests: [{ user_id: 'u 1', k: 1 }] }],
    ];
    for (const [url, payload] of posts) {
      const response = await instance.inject({ method: 'POST', url, payload: payload as object });
      t.equal(response.statusCode, 400, `${url} ${JSON.stringify(payload).slice(0, 60)}`);
    }
  });

  await t.test('documented in OpenAPI; stages timed in metrics', async (t) => {
    const spec = (await instance.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    for (const path of [
      '/v1/recommendations',
      '/v1/items/{item_id}/similar',
      '/v1/recommendations/complements',
      '/v1/recommendations/batch',
      '/v1/recommendations/popular',
    ]) {
      t.ok(spec.paths[path], `${path} is documented`);
    }
    const text = await metrics.registry.metrics();
    for (const stage of [
      'read_context',
      'read_candidates',
      'read_items',
      'blend',
      'filter',
      'rank',
      'rules',
      'diversity',
    ]) {
      t.match(
        text,
        new RegExp(`rec_serving_stage_duration_seconds_count\\{stage="${stage}"\\} [1-9]`),
        stage,
      );
    }
  });

  await t.test('Redis down: popular items from the last good read, flagged degraded', async (t) => {
    const url = new URL(infra.featureRedisUrl);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    const viaProxy = createRedis(`redis://127.0.0.1:${proxy.port}`);
    viaProxy.on('error', () => undefined); // the cut connection is the point of this test
    await viaProxy.connect();
    t.teardown(async () => {
      viaProxy.disconnect();
      await proxy.close();
    });
    const served = await app({ featureTimeoutMs: 200 }, viaProxy);
    const healthy = await served.get('/v1/recommendations?user_id=u-alice&k=5');
    t.equal(healthy.degraded, false);

    proxy.cut();
    const degraded = await served.get('/v1/recommendations?user_id=u-alice&k=5&price_max=30');
    t.equal(degraded.degraded, true);
    t.ok(
      degraded.degraded_reason === 'feature_store_timeout' ||
        degraded.degraded_reason === 'feature_store_unavailable',
      String(degraded.degraded_reason),
    );
    t.equal(degraded.items.length, 5, 'still a full answer');
    t.ok(degraded.items.every((i) => i.source === 'popular' && i.reason.code === 'popular_now'));
    t.ok(
      degraded.items.every((i) => i.price <= 30),
      'the request filters still apply',
    );
    t.notOk(ids(degraded).includes('lip-oos'), 'and availability');
    const similar = await served.get('/v1/items/tent-1/similar?k=3');
    t.equal(similar.degraded, true, 'every endpoint degrades the same way');
    t.match(
      await served.metrics.registry.metrics(),
      /rec_serving_degraded_total\{reason="feature_store_\w+"\} [2-9]/,
    );

    proxy.restore();
    // Once Redis is back (the client reconnects on its own), answers are whole again.
    let recovered = false;
    for (let attempt = 0; attempt < 50 && !recovered; attempt += 1) {
      recovered = !(await served.get('/v1/recommendations?user_id=u-alice&k=5')).degraded;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.ok(recovered, 'recovers without a restart');
  });

  await t.test('Redis down and nothing cached: 503 with retry-after, never a crash', async (t) => {
    const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    down.on('error', () => undefined);
    t.teardown(() => down.disconnect());
    const served = await app({}, down);
    for (const request of [
      { method: 'GET' as const, url: '/v1/recommendations?user_id=u-alice' },
      { method: 'GET' as const, url: '/v1/items/tent-1/similar' },
      { method: 'POST' as const, url: '/v1/recommendations/complements', payload: { item_ids: ['tent-1'] } },
    ]) {
      const response = await served.instance.inject(request);
      t.equal(response.statusCode, 503, request.url);
      t.ok(response.headers['retry-after']);
      t.equal(response.json<{ error: { code: string } }>().error.code, 'REC_ERR_DEPENDENCY_UNAVAILABLE');
    }
  });
});
