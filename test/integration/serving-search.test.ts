/**
 * Personalised search in serving against the real local Redis (catalog and features written by
 * the real feature writer) and ClickHouse (the search log's `search_queries` view in a migrated
 * test database). Checks what a shopper would notice: the best text match comes first, a shopper's
 * taste changes the order among comparable matches, filters hold, typos and unfinished words still
 * find items, a query nothing matches gets close matches or popular items (flagged), suggestions
 * come from past searches that found items (or catalog words without a log), and bad input is a 400.
 */
import t, { type Test } from 'tap';
import type { ClickHouse } from '@recstream/clickhouse';
import { bumpCatalogVersion, toItemMeta, writeCatalog } from '@recstream/features';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createRedis, type Redis } from '@recstream/redis';
import type { CatalogItem, EnrichedEvent, SearchResponse, SuggestResponse } from '@recstream/schemas';
import { servingApp } from '../support/serving-app.js';
import { CatalogMirror } from '@recstream/serving/catalog';
import { type Impression } from '@recstream/serving/impressions';
import { createSearchIndex, createSearchLog } from '@recstream/serving/search';
import {
  connectTestRedis,
  createTestDatabase,
  deleteTestKeys,
  dropTestDatabase,
  infra,
  testNamespace,
} from '@recstream/testing';
import { createEventFactory, createFeatureWriter } from '../support/shop-events.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const NOW = Date.now();
const MAX_K = 50;
const logger = createLogger({ service: 'test', level: 'silent' });

const LIPS = ['Beauty', 'Makeup', 'Lips'];
const EYES = ['Beauty', 'Makeup', 'Eyes'];
const TENTS = ['Outdoor', 'Camping', 'Tents'];
const catalog: CatalogItem[] = (
  [
    ['lip-acme', 'Red Velvet Lipstick', LIPS, 'Acme', 15, 'in_stock'],
    ['lip-bloom', 'Red Matte Lipstick', LIPS, 'Bloom', 16, 'in_stock'],
    ['lip-nude', 'Nude Lipstick', LIPS, 'Bloom', 14, 'in_stock'],
    ['lip-oos', 'Red Lipstick Classic', LIPS, 'Acme', 12, 'out_of_stock'],
    ['lip-balm', 'Tinted Lip Balm', LIPS, 'Acme', 9, 'in_stock'],
    ['eye-red', 'Red Eye Shadow', EYES, 'Acme', 20, 'in_stock'],
    ['eye-pre', 'Red Eye Liner', EYES, 'Bloom', 18, 'preorder'],
    ['tent-2p', 'Trail Tent 2 Person', TENTS, 'Trail', 150, 'in_stock'],
    ['tent-4p', 'Family Tent 4 Person', TENTS, 'Trail', 300, 'in_stock'],
    ['lamp-1', 'Camping Lamp', ['Outdoor', 'Camping', 'Lamps'], 'Glow', 25, 'in_stock'],
    ['shoe-red', 'Red Running Shoes', ['Sport', 'Shoes'], 'Swift', 90, 'in_stock'],
  ] as const
).map(([item_id, title, category_path, brand, price, availability]) => ({
  item_id,
  title,
  category_path: [...category_path],
  brand,
  price,
  currency: 'EUR',
  availability,
  updated_at: new Date(NOW - 30 * DAY).toISOString(),
  // Words only a description has: searched too.
  ...(item_id === 'tent-4p' ? { description: 'A waterproof shelter with a porch, pitched in minutes.' } : {}),
}));

const event = createEventFactory();

/** Views by distinct shoppers: Bloom's red lipstick is more popular than Acme's; tents lead outdoors. */
function traffic(): EnrichedEvent[] {
  const views: [string, number][] = [
    ['lip-bloom', 10],
    ['lip-acme', 3],
    ['lip-nude', 8],
    ['eye-red', 2],
    ['tent-4p', 6],
    ['tent-2p', 4],
    ['lamp-1', 2],
  ];
  const events: EnrichedEvent[] = [];
  for (const [item_id, count] of views)
    for (let i = 0; i < count; i += 1)
      events.push(
        event(NOW - 30 * MINUTE + i * 1000, { anon: `v-${item_id}-${i}` }, { type: 'view', item_id }),
      );
  // A fan of Acme's lip products.
  for (let i = 0; i < 3; i += 1)
    events.push(
      event(NOW - 20 * MINUTE + i * MINUTE, { user: 'u-fan' }, { type: 'view', item_id: 'lip-balm' }),
    );
  return events.sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time));
}

/** Search log rows as the materialized view stores them (event_date, normalised query, counts). */
async function writeSearchLog(clickhouse: ClickHouse): Promise<void> {
  const day = (msAgo: number) => new Date(NOW - msAgo).toISOString().slice(0, 10);
  const row = (daysAgo: number, query: string, searches: number, zero: number, counted = searches) => ({
    event_date: day(daysAgo * DAY),
    normalised_query: query,
    searches,
    counted_searches: counted,
    zero_result_searches: zero,
  });
  await clickhouse.insert('search_queries_agg', [
    row(1, 'red lipstick', 6, 0),
    row(0, 'red lipstick', 4, 1),
    row(2, 'red shoes', 5, 0),
    row(0, 'red velvet', 9, 9), // never found anything
    row(0, 'red socks', 7, 0, 0), // never reported a count: not known to have found anything
    row(90, 'red tent', 50, 0), // outside the window
    row(3, 'rain jacket', 2, 0),
    row(0, 'reddish', 30, 0),
  ]);
}

async function setup(t: Test, options: { withLog: boolean } = { withLog: true }) {
  const ns = testNamespace('servsearch');
  const redis: Redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  const clickhouse = options.withLog ? await createTestDatabase(ns) : undefined;
  t.teardown(async () => {
    await deleteTestKeys(ns);
    redis.disconnect();
    if (clickhouse !== undefined) {
      await clickhouse.close();
      await dropTestDatabase(ns);
    }
  });
  const write = await createFeatureWriter(redis, ns.redisPrefix, catalog);
  await write(traffic());
  if (clickhouse !== undefined) await writeSearchLog(clickhouse);

  const metrics = createMetrics('serving', { defaultMetrics: false });
  const catalogMirror = new CatalogMirror({ redis, redisPrefix: ns.redisPrefix, logger, metrics });
  const index = createSearchIndex({ catalog: catalogMirror, refreshMs: 0, logger, metrics });
  t.ok(await index.refresh(), 'the index builds');
  const searchLog =
    clickhouse === undefined
      ? undefined
      : createSearchLog({
          clickhouse,
          windowDays: 30,
          maxQueries: 100,
          refreshMs: 0,
          logger,
          metrics,
          clock: () => NOW,
        });
  if (searchLog !== undefined) t.ok(await searchLog.refresh(), 'the suggestions load');
  const impressions: Impression[] = [];
  const app = await servingApp(t, {
    impressions: { record: (impression) => impressions.push(impression), drain: () => Promise.resolve() },
    metrics,
    redis,
    redisPrefix: ns.redisPrefix,
    maxK: MAX_K,
    clock: () => NOW,
    catalog: catalogMirror,
    search: { index, searchLog },
  });
  const get = async <T = SearchResponse>(url: string): Promise<T> => {
    const response = await app.inject({ method: 'GET', url });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return response.json<T>();
  };
  return { app, get, index, redis, prefix: ns.redisPrefix, impressions };
}

const ids = (answer: SearchResponse) => answer.items.map((i) => i.item_id);
const q = (text: string) => encodeURIComponent(text);

t.test('search over the real catalog and features', async (t) => {
  const { app, get, index, redis, prefix, impressions } = await setup(t);

  await t.test('every word must match; unavailable items never show', async (t) => {
    const answer = await get('/v1/search?q=red+lipstick&session_id=s-imp');
    t.match(
      impressions.at(-1),
      { requestId: answer.request_id, list: 'search', sessionId: 's-imp', itemIds: ids(answer) },
      'the answer is logged as an impression, for click attribution',
    );
    t.same(ids(answer).sort(), ['lip-acme', 'lip-bloom']);
    t.equal(answer.query, 'red lipstick');
    t.equal(answer.total_matches, 2);
    t.equal(answer.zero_results, false);
    t.equal(answer.personalised, false);
    t.same(answer.items[0]?.reason, { code: 'matches_query', text: 'Matches “red lipstick”' });
    t.match(answer.request_id, /^[0-9a-f-]{36}$/);
    t.equal(answer.items[0]?.title, 'Red Matte Lipstick', 'display fields come with the item');
  });

  await t.test('a title match outranks a brand-only match', async (t) => {
    // Both tents are Trail's; only one says so in its title.
    t.same(ids(await get('/v1/search?q=trail')), ['tent-2p', 'tent-4p']);
  });

  await t.test('descriptions are searched', async (t) => {
    t.same(ids(await get('/v1/search?q=waterproof')), ['tent-4p']);
    t.same(ids(await get('/v1/search?q=waterproof+tent')), ['tent-4p'], 'words from any field');
  });

  await t.test('without a shopper, popularity breaks ties between equal matches', async (t) => {
    t.same(ids(await get('/v1/search?q=red+lipstick')), ['lip-bloom', 'lip-acme']);
  });

  await t.test("a shopper's affinities re-rank comparable matches", async (t) => {
    const answer = await get('/v1/search?q=red+lipstick&user_id=u-fan');
    t.same(ids(answer), ['lip-acme', 'lip-bloom'], 'the Acme fan sees Acme first');
    t.equal(answer.personalised, true);
    t.equal(answer.degraded, false);
    // A stranger is not personalised.
    const stranger = await get('/v1/search?q=red+lipstick&user_id=u-nobody');
    t.same(ids(stranger), ['lip-bloom', 'lip-acme']);
    t.equal(stranger.personalised, false);
  });

  await t.test('taste never lifts an item that does not match', async (t) => {
    t.notOk(ids(await get('/v1/search?q=tent&user_id=u-fan')).includes('lip-balm'));
  });

  await t.test('unfinished last words and typos still match', async (t) => {
    t.same(ids(await get('/v1/search?q=red+lipst')).sort(), ['lip-acme', 'lip-bloom'], 'prefix');
    const typo = await get('/v1/search?q=lipstik');
    t.same(ids(typo).sort(), ['lip-acme', 'lip-bloom', 'lip-nude'], 'one typo');
    t.equal(typo.zero_results, false);
  });

  await t.test('filters: price, category, stock', async (t) => {
    t.same(ids(await get('/v1/search?q=lipstick&price_max=15')).sort(), ['lip-acme', 'lip-nude']);
    t.same(ids(await get('/v1/search?q=lipstick&price_min=15.5')), ['lip-bloom']);
    t.same(ids(await get(`/v1/search?q=red&category=${q('Sport')}`)), ['shoe-red']);
    t.same(ids(await get(`/v1/search?q=red&category=${q('Beauty > Makeup > Eyes')}`)).sort(), [
      'eye-pre',
      'eye-red',
    ]);
    t.same(ids(await get('/v1/search?q=red+eye&in_stock=true')), ['eye-red'], 'no preorders');
    t.same(ids(await get('/v1/search?q=lipstick&k=1')).length, 1);
  });

  await t.test('a query nothing fully matches gets the closest matches, flagged', async (t) => {
    const answer = await get('/v1/search?q=velvet+tent');
    t.equal(answer.zero_results, true);
    t.equal(answer.zero_results_strategy, 'close_matches');
    t.equal(answer.total_matches, 0);
    t.ok(ids(answer).includes('lip-acme') && ids(answer).includes('tent-2p'), ids(answer).join(', '));
    t.equal(answer.items[0]?.reason.code, 'close_match');
    // Typos in every word are still a full match: one edit per word of five letters or more.
    const misspelt = await get('/v1/search?q=campng+lampp');
    t.equal(misspelt.zero_results, false);
    t.same(ids(misspelt), ['lamp-1']);
  });

  await t.test('a query nothing resembles gets popular items, flagged', async (t) => {
    const answer = await get('/v1/search?q=xyzzy&k=3');
    t.equal(answer.zero_results, true);
    t.equal(answer.zero_results_strategy, 'popular');
    t.same(ids(answer), ['lip-bloom', 'lip-nude', 'tent-4p']);
    t.same(answer.items[0]?.reason, { code: 'popular_now', text: 'Popular right now' });
    const outdoor = await get(`/v1/search?q=xyzzy&category=${q('Outdoor')}`);
    t.same(ids(outdoor), ['tent-4p', 'tent-2p', 'lamp-1']);
    t.same(outdoor.items[0]?.reason, { code: 'popular_in_category', text: 'Popular in Outdoor' });
  });

  await t.test('injection strings are just words', async (t) => {
    for (const text of [
      "' OR 1=1; DROP TABLE events --",
      '<script>alert(1)</script>',
      '*:*',
      '"red" AND lipstick',
    ]) {
      const response = await app.inject({ method: 'GET', url: `/v1/search?q=${q(text)}` });
      t.equal(response.statusCode, 200, text);
      const answer = response.json<SearchResponse>();
      t.ok(answer.items.length > 0, `${text}: never an empty answer`);
    }
    const suggest = await app.inject({ method: 'GET', url: `/v1/search/suggest?q=${q("red' OR '1'='1")}` });
    t.equal(suggest.statusCode, 200);
    t.same(suggest.json<SuggestResponse>().suggestions, []);
  });

  await t.test('bad input is a 400 with a clear message', async (t) => {
    const cases: [string, RegExp][] = [
      ['/v1/search', /q/],
      ['/v1/search?q=', /q/],
      ['/v1/search?q=+++', /q must not be blank/],
      [`/v1/search?q=${'a'.repeat(201)}`, /q must NOT have more than 200/],
      [`/v1/search?q=${q('red\u0000')}`, /q/],
      ['/v1/search?q=red&k=0', /k must be >= 1/],
      [`/v1/search?q=red&k=${MAX_K + 1}`, /k must be <= 50/],
      ['/v1/search?q=red&k=abc', /k/],
      ['/v1/search?q=red&price_min=20&price_max=10', /price_min \(20\) must not exceed price_max \(10\)/],
      ['/v1/search?q=red&price_min=-1', /price_min/],
      ['/v1/search?q=red&in_stock=maybe', /in_stock/],
      ['/v1/search/suggest?q=', /q/],
      ['/v1/search/suggest?q=re&k=0', /k/],
      ['/v1/search/suggest?q=re&k=21', /k/],
    ];
    for (const [url, message] of cases) {
      const response = await app.inject({ method: 'GET', url });
      t.equal(response.statusCode, 400, url);
      const { error } = response.json<{ error: { code: string; message: string } }>();
      t.equal(error.code, 'REC_ERR_INVALID_INPUT', url);
      t.match(error.message, message, `${url}: ${error.message}`);
    }
  });

  await t.test('suggestions are past searches that found items, most searched first', async (t) => {
    const answer = await get<SuggestResponse>('/v1/search/suggest?q=Red+');
    t.equal(answer.source, 'search_log');
    t.equal(answer.query, 'red ', 'the trailing space ends the word');
    t.same(answer.suggestions, [
      { text: 'red lipstick', weight: 9 },
      { text: 'red shoes', weight: 5 },
    ]);
    t.same(
      (await get<SuggestResponse>('/v1/search/suggest?q=ra')).suggestions.map((s) => s.text),
      ['rain jacket'],
    );
    t.same(
      (await get<SuggestResponse>('/v1/search/suggest?q=red')).suggestions.map((s) => s.text),
      ['reddish', 'red lipstick', 'red shoes'],
      'an unfinished word completes too',
    );
    t.same((await get<SuggestResponse>('/v1/search/suggest?q=red+lipstick')).suggestions, []);
    t.same((await get<SuggestResponse>('/v1/search/suggest?q=r&k=1')).suggestions.length, 1);
  });

  await t.test('a refresh picks up new catalog items; metrics show the index', async (t) => {
    const item = toItemMeta({ ...catalog[0]!, item_id: 'lip-new', title: 'Glossy Coral Lipstick' });
    await writeCatalog(redis, prefix, [item]);
    const before = await get('/v1/search?q=coral');
    t.ok(before.zero_results && !ids(before).includes('lip-new'), 'not before the refresh');
    t.ok(await index.refresh());
    const after = await get('/v1/search?q=coral');
    t.same(ids(after), ['lip-new']);
    t.equal(after.zero_results, false);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    t.match(metrics, /rec_serving_search_index_items 12/);
    t.match(metrics, /rec_serving_search_index_build_seconds \d/);
    t.match(metrics, /rec_serving_search_answers_total\{outcome="popular"\} \d/);

    // A refresh rebuilds only when the catalog's version moved.
    t.ok(await index.refresh(), 'unchanged: kept');
    await bumpCatalogVersion(redis, prefix);
    t.ok(
      await index.refresh(),
      'the version moved (a bulk restore): rebuilt, from the whole catalog read again',
    );
    t.ok(await index.refresh(), 'unchanged: kept');
    const counted = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    t.match(counted, /rec_serving_search_index_builds_total\{result="unchanged"\} 2/);
    t.match(counted, /rec_serving_catalog_mirror_syncs_total\{kind="reload",result="ok"\} 2/);
    t.match(counted, /rec_serving_catalog_mirror_items 12/);
  });

  await t.test('Redis down: the in-memory index still answers, by relevance, flagged', async (t) => {
    const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    down.on('error', () => undefined); // the dead connection is the point of this test
    t.teardown(() => down.disconnect());
    const served = await servingApp(t, { redis: down, redisPrefix: prefix, maxK: MAX_K, search: { index } });
    const response = await served.inject({ method: 'GET', url: '/v1/search?q=red+lipstick&user_id=u-fan' });
    t.equal(response.statusCode, 200);
    const answer = response.json<SearchResponse>();
    t.equal(answer.degraded, true);
    t.equal(answer.personalised, false);
    t.same(ids(answer), ['lip-acme', 'lip-bloom'], 'text relevance alone (ties by item id)');
    const nothing = (
      await served.inject({ method: 'GET', url: '/v1/search?q=xyzzy' })
    ).json<SearchResponse>();
    t.same(
      { zero_results: nothing.zero_results, degraded: nothing.degraded, items: nothing.items },
      { zero_results: true, degraded: true, items: [] },
      'nothing to offer, and it says why',
    );
  });

  await t.test('OpenAPI documents the routes', async (t) => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    t.ok(spec.paths['/v1/search'], 'search');
    t.ok(spec.paths['/v1/search/suggest'], 'suggest');
  });
});

t.test('without a search log, suggestions come from catalog titles', async (t) => {
  const { get } = await setup(t, { withLog: false });
  const answer = await get<SuggestResponse>('/v1/search/suggest?q=lip');
  t.equal(answer.source, 'catalog');
  t.same(answer.suggestions[0], { text: 'lipstick', weight: 4 });
  t.same(
    (await get<SuggestResponse>('/v1/search/suggest?q=red+lipst')).suggestions.map((s) => s.text),
    ['red lipstick'],
  );
});

t.test('an empty catalog: ready, and searches answer with an explanation', async (t) => {
  const ns = testNamespace('servsearchempty');
  const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const catalog = new CatalogMirror({ redis, redisPrefix: ns.redisPrefix, logger, metrics });
  const index = createSearchIndex({ catalog, refreshMs: 0, logger, metrics });
  t.ok(await index.refresh());
  const app = await servingApp(t, {
    metrics,
    redis,
    redisPrefix: ns.redisPrefix,
    maxK: MAX_K,
    checks: { redis: async () => void (await redis.ping()) },
    catalog,
    search: { index },
  });
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const response = await app.inject({ method: 'GET', url: '/v1/search?q=anything' });
  t.equal(response.statusCode, 200);
  const answer = response.json<SearchResponse>();
  t.same(answer.items, []);
  t.equal(answer.zero_results, true);
  t.equal(answer.zero_results_strategy, 'popular');
});
