/**
 * Serving's in-memory catalog against the real local Redis, written through the feature service's
 * versioned catalog writer: an answer reflects every catalog write that completed before its
 * request (no refresh in between), catch-ups read only what the change log names and are shared by
 * concurrent requests, and whatever the log cannot account for (a bulk restore, a trimmed log, a
 * store that lost its data) is reloaded whole — in the background, answering from the mirror
 * meanwhile.
 */
import t, { type Test } from 'tap';
import {
  bumpCatalogVersion,
  featureKeys,
  logContribution,
  removeFromCatalog,
  toItemMeta,
  writeCatalog,
  type ItemMeta,
} from '@recstream/features';
import { createLogger } from '@recstream/logger';
import { createMetrics, type ServiceMetrics } from '@recstream/metrics';
import { createRedis } from '@recstream/redis';
import type { RecommendationsResponse } from '@recstream/schemas';
import { servingApp } from '../support/serving-app.js';
import { CatalogMirror } from '@recstream/serving/catalog';
import { connectTestRedis, testNamespace } from '@recstream/testing';

const logger = createLogger({ service: 'test', level: 'silent' });

const item = (
  id: string,
  title = `Title ${id}`,
  availability: ItemMeta['availability'] = 'in_stock',
): ItemMeta =>
  toItemMeta({
    item_id: id,
    title,
    category_path: ['Beauty', 'Lips'],
    brand: 'Acme',
    price: 10,
    currency: 'EUR',
    availability,
  });

async function setup(t: Test, label: string) {
  const ns = testNamespace(label);
  const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const mirror = new CatalogMirror({ redis, redisPrefix: ns.redisPrefix, logger, metrics });
  return { prefix: ns.redisPrefix, redis, metrics, mirror };
}

async function syncs(metrics: ServiceMetrics, kind: 'changes' | 'reload'): Promise<number> {
  const text = await metrics.registry.metrics();
  const match = new RegExp(
    `rec_serving_catalog_mirror_syncs_total\\{kind="${kind}",result="ok"\\} (\\d+)`,
  ).exec(text);
  return Number(match?.[1] ?? 0);
}

/** The catalog's items, ranked by popularity in this order, and an app serving them from `mirror`. */
async function servingShop(t: Test, shop: Awaited<ReturnType<typeof setup>>, items: readonly ItemMeta[]) {
  const { prefix, redis, mirror } = shop;
  const now = Date.now();
  await writeCatalog(redis, prefix, items);
  for (const [i, meta] of items.entries())
    await redis.zadd(featureKeys(prefix).itemPopularity(), logContribution(10 - i, now), meta.itemId);
  return servingApp(t, { redis, redisPrefix: prefix, maxK: 10, catalog: mirror });
}

t.test('answers reflect every catalog write made before the request', async (t) => {
  const shop = await setup(t, 'catalogrw');
  const { prefix, redis, mirror } = shop;
  const app = await servingShop(t, shop, [item('sku-a', 'Red lipstick'), item('sku-b'), item('sku-c')]);
  const answer = async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/recommendations?user_id=u-new&k=3' });
    t.equal(response.statusCode, 200);
    const body = response.json<RecommendationsResponse>();
    t.equal(body.degraded, false);
    return new Map(body.items.map((i) => [i.item_id, i.title]));
  };

  t.equal((await answer()).get('sku-a'), 'Red lipstick', 'the first request loads the catalog');
  await writeCatalog(redis, prefix, [item('sku-a', 'Coral lipstick')]);
  t.equal((await answer()).get('sku-a'), 'Coral lipstick', 'a new title, at the very next request');
  await writeCatalog(redis, prefix, [item('sku-b', 'Title sku-b', 'out_of_stock')]);
  t.notOk((await answer()).has('sku-b'), 'out of stock at once: filtered');
  await removeFromCatalog(redis, prefix, ['sku-c']);
  t.notOk((await answer()).has('sku-c'), 'removed from the catalog at once: an unknown item is not shown');
  t.equal(mirror.count, 2);
});

t.test('a new item gets an exploration place in personalised answers', async (t) => {
  const shop = await setup(t, 'catalognew');
  const { prefix, redis } = shop;
  const now = Date.now();
  const app = await servingShop(
    t,
    shop,
    ['sku-a', 'sku-b', 'sku-c', 'sku-d', 'sku-e'].map((id) => item(id)),
  );
  const answer = async (url: string) =>
    (await app.inject({ method: 'GET', url })).json<RecommendationsResponse>().items;

  t.notOk(
    (await answer('/v1/recommendations?user_id=u-new&k=4')).some((i) => i.source === 'new_arrival'),
    'no new item in the catalog: no exploration',
  );
  // The catalog says when it entered: yesterday. Nobody has interacted with it.
  await writeCatalog(redis, prefix, [
    toItemMeta({
      item_id: 'sku-new',
      title: 'Brand new lipstick',
      category_path: ['Beauty', 'Lips'],
      brand: 'Acme',
      price: 12,
      currency: 'EUR',
      availability: 'in_stock',
      created_at: new Date(now - 86_400_000).toISOString(),
    }),
  ]);
  // New arrivals are recomputed at most every few seconds after the catalog changed.
  await new Promise((resolve) => setTimeout(resolve, 5_100));
  const items = await answer('/v1/recommendations?user_id=u-new&k=4');
  t.equal(items.length, 4);
  t.same(
    { id: items[2]?.item_id, source: items[2]?.source, reason: items[2]?.reason },
    { id: 'sku-new', source: 'new_arrival', reason: { code: 'new_arrival', text: 'New in Lips' } },
  );
  t.notOk(
    (await answer('/v1/recommendations?user_id=u-new&k=3')).some((i) => i.item_id === 'sku-new'),
    'a short answer has no room to explore',
  );
});

t.test('catch-ups read what the log names, once for concurrent requests', async (t) => {
  const { prefix, redis, metrics, mirror } = await setup(t, 'catalogcatch');
  await writeCatalog(redis, prefix, [item('a'), item('b')]);
  await mirror.settle();
  t.equal(await syncs(metrics, 'reload'), 1, 'the first load reads the whole catalog');
  t.equal(mirror.count, 2);

  await writeCatalog(redis, prefix, [item('c')]);
  await writeCatalog(redis, prefix, [item('a', 'A again')]);
  const version = await mirror.observe();
  t.equal(version.n, 3);
  await Promise.all(Array.from({ length: 20 }, () => mirror.reach(version)));
  t.equal(await syncs(metrics, 'changes'), 1, 'twenty requests, one catch-up');
  t.equal(await syncs(metrics, 'reload'), 1, 'and no reload');
  t.equal(mirror.get('a')?.title, 'A again');
  t.equal(mirror.get('c')?.title, 'Title c');
  t.equal(
    mirror.get('a')?.categoryPath,
    mirror.get('b')?.categoryPath,
    'items of one category share one path (loaded whole or caught up)',
  );
  t.equal(mirror.get('c')?.categoryPath, mirror.get('b')?.categoryPath);
  await mirror.reach(version);
  t.equal(await syncs(metrics, 'changes'), 1, 'up to date: nothing read');
  // A request that observed an older version is answered from the newer mirror.
  await mirror.reach({ epoch: version.epoch, n: 1 });
  t.equal(await syncs(metrics, 'changes'), 1);
});

t.test('what the log cannot account for is reloaded whole, in the background', async (t) => {
  const { prefix, redis, metrics, mirror } = await setup(t, 'catalogreload');
  const keys = featureKeys(prefix);
  await writeCatalog(redis, prefix, [item('a'), item('b')]);
  await mirror.settle();

  // A bulk restore writes the hash directly and bumps the version without a log entry.
  await redis.hset(keys.itemMeta(), 'restored', JSON.stringify(item('restored')));
  await bumpCatalogVersion(redis, prefix);
  await mirror.reach(await mirror.observe());
  await mirror.settle();
  t.equal(mirror.get('restored')?.title, 'Title restored', 'the restored item is there after the reload');
  t.equal(await syncs(metrics, 'reload'), 2);

  // A log trimmed past where the mirror stands: two writes it has not seen, the first trimmed away.
  await writeCatalog(redis, prefix, [item('trimmed')]);
  await writeCatalog(redis, prefix, [item('kept')]);
  await redis.xtrim(keys.itemMetaLog(), 'MAXLEN', 1);
  await mirror.settle();
  t.ok(mirror.get('trimmed') && mirror.get('kept'), 'caught up by a reload');
  t.equal(await syncs(metrics, 'reload'), 3);

  // The store lost its data and the catalog was written again: another epoch.
  const epochBefore = (await mirror.observe()).epoch;
  await redis.del(keys.itemMeta(), keys.itemMetaVersion(), keys.itemMetaLog());
  await writeCatalog(redis, prefix, [item('z')]);
  const version = await mirror.observe();
  t.not(version.epoch, epochBefore, 'a new epoch');
  t.equal(version.n, 1, 'counting from the start again');
  await mirror.reach(version);
  t.ok(mirror.get('a'), 'meanwhile requests are answered from the mirror as it was');
  await mirror.settle();
  t.same(
    ['a', 'z'].map((id) => mirror.get(id) !== undefined),
    [false, true],
    'then it is the new catalog, exactly',
  );
  t.equal(mirror.count, 1);
});

t.test('entries that are not display fields are left out and counted; older forms are read', async (t) => {
  const { prefix, redis, metrics, mirror } = await setup(t, 'catalogjunk');
  await writeCatalog(redis, prefix, [item('good')]);
  await redis.hset(featureKeys(prefix).itemMeta(), {
    junk: '{not json',
    older: JSON.stringify({
      itemId: 'older',
      title: 'Older',
      category: 'Beauty > Lips',
      price: 1,
      currency: 'EUR',
      availability: 'in_stock',
    }),
  });
  await mirror.settle();
  t.same(
    ['good', 'junk', 'older'].map((id) => mirror.get(id) !== undefined),
    [true, false, true],
  );
  t.same(mirror.get('older')?.categoryPath, ['Beauty', 'Lips'], 'a path rebuilt from the category');
  t.match(await metrics.registry.metrics(), /rec_serving_catalog_mirror_unreadable_total 1/);
});

t.test('new arrivals are kept per window, so variants with other windows get their own', async (t) => {
  const { prefix, redis, mirror } = await setup(t, 'catalogwindows');
  const now = Date.now();
  const DAY = 86_400_000;
  await writeCatalog(redis, prefix, [{ ...item('three-days'), createdAtMs: now - 3 * DAY }]);
  await mirror.settle();
  const ids = (windowMs: number) =>
    mirror
      .newArrivals(now, windowMs)
      .newest()
      .map((m) => m.itemId);
  t.same(ids(DAY), [], 'not new within a day');
  t.same(ids(7 * DAY), ['three-days'], 'new within a week');
  t.same(ids(DAY), [], 'the one-day list is still its own');
});

t.test('a catalog never written: an empty mirror, and no reload per request', async (t) => {
  const { metrics, mirror } = await setup(t, 'catalogempty');
  await mirror.settle();
  t.equal(mirror.count, 0);
  await mirror.reach(await mirror.observe());
  t.equal(await syncs(metrics, 'reload'), 1);
  t.equal(await syncs(metrics, 'changes'), 0);
});

t.test('Redis down during the first load: the request fails, the next one loads', async (t) => {
  const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  down.on('error', () => undefined); // the dead connection is the point of this test
  t.teardown(() => down.disconnect());
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const mirror = new CatalogMirror({ redis: down, redisPrefix: 'nowhere', logger, metrics });
  await t.rejects(mirror.reach({ epoch: 'e', n: 1 }));
  const text = await metrics.registry.metrics();
  t.match(text, /rec_serving_catalog_mirror_syncs_total\{kind="reload",result="failed"\} 1/);
});
