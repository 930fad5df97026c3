/**
 * Serving against the real local Redis: the popularity ranking and item metadata that the feature
 * service writes are served best first, unavailable items are left out without shortening the
 * answer, bad parameters are refused with 400, and a Redis outage is a 503, not a crash.
 */
import t from 'tap';
import { featureKeys, logContribution, writeCatalog, type ItemMeta } from '@recstream/features';
import { createRedis } from '@recstream/redis';
import { servingApp } from '../support/serving-app.js';
import { connectTestRedis, testNamespace } from '@recstream/testing';

const ns = testNamespace('serving');

interface Popular {
  items: { item_id: string; title?: string; reason: { code: string } }[];
}

t.test('popular items from the feature store', async (t) => {
  const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
  const keys = featureKeys(ns.redisPrefix);
  const now = Date.now();
  // sku-0 has the most weight, sku-9 the least; sku-1 is out of stock.
  for (let i = 0; i < 10; i += 1) {
    await redis.zadd(keys.itemPopularity(), logContribution(10 - i, now), `sku-${i}`);
    const meta: ItemMeta = {
      itemId: `sku-${i}`,
      title: `Item ${i}`,
      category: 'Beauty > Lips',
      categoryPath: ['Beauty', 'Lips'],
      brand: 'Acme',
      price: 10,
      currency: 'EUR',
      availability: i === 1 ? 'out_of_stock' : 'in_stock',
    };
    await writeCatalog(redis, ns.redisPrefix, [meta]);
  }
  const app = await servingApp(t, { redis, redisPrefix: ns.redisPrefix, maxK: 5 });
  const get = (query: string) => app.inject({ method: 'GET', url: `/v1/recommendations/popular?${query}` });

  const top = await get('k=3');
  t.equal(top.statusCode, 200);
  const body = top.json<Popular>();
  t.same(
    body.items.map((i) => i.item_id),
    ['sku-0', 'sku-2', 'sku-3'],
    'best first, the out-of-stock item left out, still k items',
  );
  t.equal(body.items[0]?.title, 'Item 0');
  t.equal(body.items[0]?.reason.code, 'popular_now');

  t.equal((await get('k=50')).json<Popular>().items.length, 5, 'k is capped by the configured maximum');
  for (const bad of ['k=0', 'k=-1', 'k=abc', "k=1'%20OR%201=1", 'k=100000']) {
    const response = await get(bad);
    t.equal(response.statusCode, 400, `${bad} is refused`);
    t.equal(response.json<{ error: { code: string } }>().error.code, 'REC_ERR_INVALID_INPUT');
  }
});

t.test('Redis unreachable: 503 with retry-after', async (t) => {
  // Nothing listens on port 1; commands fail after the bounded retries.
  const redis = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined); // the refused connection is the point of this test
  t.teardown(() => redis.disconnect());
  const app = await servingApp(t, {
    redis,
    redisPrefix: ns.redisPrefix,
    maxK: 5,
    checks: { redis: async () => void (await redis.ping()) },
  });
  const response = await app.inject({ method: 'GET', url: '/v1/recommendations/popular?k=3' });
  t.equal(response.statusCode, 503);
  t.ok(response.headers['retry-after'], 'tells the client when to retry');
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready');
});
