/**
 * Write-key scopes against the real collector app, the local Redis and the real Kafka: a browser
 * key (the one the SDK README puts in page JavaScript), a server key issued for events only, and a
 * key issued before scopes existed can send events but are refused with 403 on the three catalog
 * routes, before their body is read, and nothing of theirs reaches the items topic or the DLQ; a
 * catalog key upserts and deletes items, and is refused on the events route.
 */
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { hashWriteKey, writeKeyRedisKeys } from '@recstream/ingest/auth';
import { readTopic, testNamespace, testTopics } from '@recstream/testing';
import { collectorApp, kafkaCollector } from '../support/collector-app.js';

const ns = testNamespace('writekeyscopes');
const topics = testTopics(ns);

const item = (id: string) => ({
  item_id: id,
  title: 'Defaced',
  category_path: ['Beauty', 'Lips'],
  price: 0.01,
  currency: 'EUR',
  availability: 'in_stock',
  updated_at: '2026-05-01T00:00:00Z',
});
const view = (id: string) => ({ type: 'view', event_id: id, user_id: 'u1', item_id: 'sku-1' });

async function collector(t: Test) {
  const kafka = await kafkaCollector(t, ns);
  const redis = kafka.redis;
  const { app, store } = await collectorApp(t, kafka);
  const send = (key: string, method: 'POST' | 'DELETE', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: { 'x-write-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  return { app, redis, store, send };
}

const limit = { ratePerSecond: 1000, burst: 1000 };

t.test('catalog routes need the catalog scope; a browser key can never have it', async (t) => {
  const { app, redis, store, send } = await collector(t);
  const browser = await store.create({ source: 'shop-web', kind: 'browser', scopes: ['events'], limit });
  const eventsOnly = await store.create({ source: 'shop-api', kind: 'server', scopes: ['events'], limit });
  const catalog = await store.create({ source: 'catalog-feed', kind: 'server', scopes: ['catalog'], limit });
  const both = await store.create({
    source: 'shop-backend',
    kind: 'server',
    scopes: ['events', 'catalog'],
    limit,
  });
  // A key issued before scopes existed: its record has neither `kind` nor `scopes`.
  const legacy = await store.create({ source: 'shop-old', kind: 'server', scopes: ['events'], limit });
  await redis.hdel(writeKeyRedisKeys(ns.redisPrefix).record(legacy.record.hash), 'kind', 'scopes');

  await t.rejects(
    store.create({ source: 'shop-web', kind: 'browser', scopes: ['events', 'catalog'], limit }),
    { message: /browser key can never have the catalog scope/ },
    'a browser key with the catalog scope cannot be issued',
  );

  for (const [name, key] of [
    ['browser', browser.key],
    ['server-events', eventsOnly.key],
    ['legacy', legacy.key],
  ] as const) {
    t.equal((await send(key, 'POST', '/v1/events', view(`${name}-ev`))).statusCode, 202, `${name}: events`);
    for (const [method, url, body] of [
      ['POST', '/v1/items', [item(`hostile-${name}-1`)]],
      ['DELETE', `/v1/items/hostile-${name}-2`, undefined],
      ['POST', '/v1/items/delete', { item_ids: [`hostile-${name}-3`] }],
    ] as const) {
      const response = await send(key, method, url, body);
      t.equal(response.statusCode, 403, `${name}: ${method} ${url} is refused`);
      t.match(
        response.json(),
        {
          error: {
            code: 'REC_ERR_FORBIDDEN',
            message: new RegExp(
              `^write key ${hashWriteKey(key).slice(0, 8)} .*may not change the catalog.*catalog scope`,
            ),
          },
        },
        `${name}: the refusal says why`,
      );
    }
  }

  // Refused before the body is read: a corrupt gzip body is never inflated.
  const corrupt = await app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { 'x-write-key': browser.key, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: Buffer.from('not gzip at all'),
  });
  t.equal(corrupt.statusCode, 403, 'not 400: the scope is checked before the body');

  for (const [name, key] of [
    ['catalog', catalog.key],
    ['events+catalog', both.key],
  ] as const) {
    t.equal(
      (await send(key, 'POST', '/v1/items', [item(`ok-${name}-1`)])).statusCode,
      202,
      `${name}: upsert`,
    );
    t.equal((await send(key, 'DELETE', `/v1/items/ok-${name}-2`)).statusCode, 202, `${name}: delete`);
    t.equal(
      (await send(key, 'POST', '/v1/items/delete', { item_ids: [`ok-${name}-3`] })).statusCode,
      202,
      `${name}: bulk delete`,
    );
  }
  const gzipped = await app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { 'x-write-key': catalog.key, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: gzipSync(JSON.stringify([item('ok-gzip')])),
  });
  t.equal(gzipped.statusCode, 202, 'a catalog key sends gzip too');

  const noEvents = await send(catalog.key, 'POST', '/v1/events', view('catalog-ev'));
  t.equal(noEvents.statusCode, 403, 'a catalog-only key sends no events');
  t.match(noEvents.json(), { error: { code: 'REC_ERR_FORBIDDEN', message: /events scope/ } });
  t.equal((await send(both.key, 'POST', '/v1/events', view('both-ev'))).statusCode, 202);

  const onItems = (await readTopic(topics.items)).map((message) => message.key);
  t.same(
    onItems.filter((id) => id?.startsWith('hostile-')),
    [],
    'nothing sent with a key lacking the catalog scope reached the items topic',
  );
  t.same(
    [...onItems].sort(),
    [
      'ok-catalog-1',
      'ok-catalog-2',
      'ok-catalog-3',
      'ok-events+catalog-1',
      'ok-events+catalog-2',
      'ok-events+catalog-3',
      'ok-gzip',
    ],
    'what the catalog keys sent is there',
  );
  t.same(await readTopic(topics.dlq), [], 'and nothing was parked');
  const events = (await readTopic(topics.events)).map(
    (m) => (JSON.parse(m.value ?? '{}') as { event_id: string }).event_id,
  );
  t.same(events.sort(), ['both-ev', 'browser-ev', 'legacy-ev', 'server-events-ev'].sort());
});

t.test('OpenAPI documents the 403 of every intake route', async (t) => {
  const { app } = await collector(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
  }>();
  for (const [path, method] of [
    ['/v1/events', 'post'],
    ['/v1/items', 'post'],
    ['/v1/items/{item_id}', 'delete'],
    ['/v1/items/delete', 'post'],
  ] as const)
    t.ok(doc.paths[path]?.[method]?.responses['403'], `${method} ${path} documents 403`);
});
