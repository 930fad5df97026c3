/**
 * Rate limits within a write key, against the real collector app and the local Redis (Kafka is
 * replaced by an in-memory publisher: what is under test ends before the produce).
 * - Per client: a browser key is shared by every visitor of a shop, so each client (its address,
 *   or the address's network for IPv6) gets its own bucket inside the key's; a hostile visitor is
 *   throttled while another visitor on the same key keeps getting 202. Server keys have no
 *   per-client limit: one backend sends everything from one address.
 * - Refusals are charged: every request costs a token before its body is read (an emptied bucket
 *   refuses the next request before reading it); records refused by validation count; a batch
 *   refused with 413 costs what the largest admissible batch would have.
 */
import t, { type Test } from 'tap';
import type { IngestAppDeps } from '@recstream/ingest/app';
import { hashWriteKey, writeKeyRedisKeys } from '@recstream/ingest/auth';
import type { Redis } from '@recstream/redis';
import { deleteTestKeys, testNamespace } from '@recstream/testing';
import { collectorApp, connectRedis, recordingPublisher } from '../support/collector-app.js';

const ns = testNamespace('writekeyclients');
const keys = writeKeyRedisKeys(ns.redisPrefix);
t.teardown(() => deleteTestKeys(ns));

const view = (id: string) => ({ type: 'view', event_id: id, user_id: 'u1', item_id: 'sku-1' });
const batch = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => view(`${prefix}${i}`));

/** A collector on this Redis whose clients are told apart by X-Forwarded-For (a trusted proxy). */
async function collector(t: Test, redis: Redis, overrides: Partial<IngestAppDeps> = {}) {
  const { publisher, events } = recordingPublisher();
  const clients = { limit: { ratePerSecond: 5, burst: 20 }, ipv4PrefixBits: 32, ipv6PrefixBits: 56 };
  const { app, store } = await collectorApp(
    t,
    { redis, redisPrefix: ns.redisPrefix, publisher, clients },
    { maxBatchEvents: 100, trustProxy: true, ...overrides },
  );
  const post = (key: string, from: string, body: unknown, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': contentType, 'x-write-key': key, 'x-forwarded-for': from },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, post, events, store };
}

t.test('a hostile visitor on a browser key is throttled; another visitor keeps getting 202', async (t) => {
  const redis = await connectRedis(t);
  const { post, events, store } = await collector(t, redis);
  const { key } = await store.create({
    source: 'shop-web',
    kind: 'browser',
    scopes: ['events'],
    // A slow refill, so that what the hostile client takes from the key shows.
    limit: { ratePerSecond: 10, burst: 1000 },
  });

  const hostile = '198.51.100.7';
  const answers: number[] = [];
  for (let i = 0; i < 60; i += 1) answers.push((await post(key, hostile, batch(`h${i}-`, 5))).statusCode);
  t.same(answers.slice(0, 4), [202, 202, 202, 202], 'the first 20 events (the client burst) pass');
  t.ok(
    answers.slice(4).every((status) => status === 429),
    'then the hostile client gets 429',
  );

  const limited = await post(key, hostile, view('h-last'));
  t.equal(limited.statusCode, 429);
  t.match(limited.json(), {
    error: {
      code: 'REC_ERR_RATE_LIMITED',
      message:
        /client 198\.51\.100\.7 of write key [0-9a-f]{8} is over its limit of 5 events\/s \(burst 20\)/,
    },
  });
  t.ok(Number(limited.headers['retry-after']) >= 1);

  for (let i = 0; i < 5; i += 1) {
    const shopper = await post(key, '203.0.113.9', batch(`s${i}-`, 3));
    t.equal(shopper.statusCode, 202, `another visitor of the same key: request ${i} accepted`);
  }
  t.equal(
    events.filter((e) => e.event_id.startsWith('s')).length,
    15,
    "all the other visitor's events were taken",
  );
  // The hostile client took at most its burst (and what refilled meanwhile) from the key.
  const keyBucket = await redis.hget(keys.bucket(hashWriteKey(key)), 'tokens');
  t.ok(Number(keyBucket) > 1000 - 60, `the key kept most of its tokens (${String(keyBucket)})`);

  // IPv6: a client is its /56 (a household), so hopping addresses inside it does not help.
  const v6: number[] = [];
  for (let i = 0; i < 6; i += 1)
    v6.push((await post(key, `2001:db8:1:${i}::${i + 1}`, batch(`v${i}-`, 4))).statusCode);
  t.same(v6, [202, 202, 202, 202, 202, 429], 'the /56 is one client: its 20 events pass, then 429');
  t.equal(
    (await post(key, '2001:db8:2::1', view('v-other'))).statusCode,
    202,
    'another /56 is another client',
  );
});

t.test('a server key has no per-client limit', async (t) => {
  const redis = await connectRedis(t);
  const { post, store } = await collector(t, redis);
  const { key } = await store.create({
    source: 'shop-backend',
    kind: 'server',
    scopes: ['events'],
    limit: { ratePerSecond: 1000, burst: 1000 },
  });
  for (let i = 0; i < 5; i += 1)
    t.equal((await post(key, '10.0.0.1', batch(`b${i}-`, 50))).statusCode, 202, `batch ${i} of 50`);
});

t.test('refusals are charged: invalid records, oversized batches, unreadable bodies', async (t) => {
  const redis = await connectRedis(t);
  const { post, store, events } = await collector(t, redis);
  const create = async (source: string) =>
    (
      await store.create({
        source,
        kind: 'server',
        scopes: ['events'],
        limit: { ratePerSecond: 1, burst: 100 },
      })
    ).key;
  /** Tokens left in a key's bucket; a bucket never charged does not exist yet (full). */
  const tokens = async (key: string) => {
    const left = await redis.hget(keys.bucket(hashWriteKey(key)), 'tokens');
    return left === null ? 100 : Number(left);
  };
  const from = '10.0.0.1';

  // Records refused by validation count like accepted ones.
  const invalid = await create('invalid');
  const refused = await post(invalid, from, [
    view('i0'),
    ...Array.from({ length: 9 }, () => ({ type: 'x' })),
  ]);
  t.equal(refused.statusCode, 202);
  t.ok((await tokens(invalid)) <= 90.5, 'ten records, one accepted: ten tokens');

  // A batch over the maximum (100 here) costs the largest admissible batch.
  const oversized = await create('oversized');
  t.equal((await post(oversized, from, batch('o', 150))).statusCode, 413);
  t.ok((await tokens(oversized)) < 1, 'the oversized batch emptied the bucket');
  const next = await post(oversized, from, view('o-next'));
  t.equal(next.statusCode, 429, 'so the next request waits');

  // So does a body over the byte limit (1 MiB here), refused while it is read.
  const heavy = await create('heavy');
  const big = await post(heavy, from, `[${JSON.stringify(view('x'.repeat(100)))}${' '.repeat(1024 * 1024)}]`);
  t.equal(big.statusCode, 413);
  t.ok((await tokens(heavy)) < 1, 'the body over the byte limit emptied the bucket');

  // Unreadable bodies never reach the record count: the request's token still paid for them.
  const garbage = await create('garbage');
  for (let i = 0; i < 3; i += 1) t.equal((await post(garbage, from, '{"not json')).statusCode, 400);
  t.ok((await tokens(garbage)) <= 97.5, 'three unreadable bodies: three tokens');

  // Once the bucket is empty, a request is refused before its body is read: not a 400.
  const flooded = await create('flooded');
  t.equal((await post(flooded, from, batch('f', 100))).statusCode, 202);
  const early = await post(flooded, from, '{"not json');
  t.equal(early.statusCode, 429, 'refused before the body was parsed');
  t.equal(events.filter((e) => e.source === 'flooded').length, 100);
});
