/**
 * Write keys and per-key rate limits against the real local Redis: keys issued, listed and revoked
 * through the `write-keys` commands; the collector refuses missing, unknown and revoked keys (a
 * revocation applies once the lookup cache expires), limits a key across two collector instances
 * sharing one Redis, and refuses with 503 when Redis is gone. Kafka is replaced by an in-memory
 * publisher: what is under test ends before the produce.
 */
import t, { type Test } from 'tap';
import { createRedis, type Redis } from '@recstream/redis';
import {
  REVOKED_KEY_RETENTION_S,
  createWriteKeyStore,
  hashWriteKey,
  keyId,
  runWriteKeys,
  writeKeyRedisKeys,
  type WriteKeyStore,
} from '@recstream/ingest/auth';
import { deleteTestKeys, infra, testNamespace } from '@recstream/testing';
import { collectorApp, connectRedis, recordingPublisher } from '../support/collector-app.js';

const ns = testNamespace('writekeys');

const view = (id: string) => ({ type: 'view', event_id: id, user_id: 'u1', item_id: 'sku-1' });
const batch = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => view(`${prefix}${i}`));

/** Runs a `write-keys` command line; resolves with its exit code and what it printed. */
async function cli(store: WriteKeyStore, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWriteKeys(args, { store, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
}

/** A collector app on this Redis, with an in-memory publisher and a controllable cache clock. */
async function collector(t: Test, redis: Redis, options: { cacheTtlMs?: number; now?: () => number } = {}) {
  const { publisher, events } = recordingPublisher();
  const { app } = await collectorApp(
    t,
    { redis, redisPrefix: ns.redisPrefix, publisher, ...options },
    { checks: { redis: async () => void (await redis.ping()) } },
  );
  const post = (key: string | null, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-write-key': key }) },
      payload: JSON.stringify(body),
    });
  return { app, post, events };
}

const code = (response: { json: <T>() => T }) => response.json<{ error: { code: string } }>().error.code;

t.teardown(() => deleteTestKeys(ns));

t.test('create, list and revoke through the write-keys commands', async (t) => {
  const redis = await connectRedis(t);
  const store = createWriteKeyStore(redis, ns.redisPrefix);
  const keys = writeKeyRedisKeys(ns.redisPrefix);

  const created = await cli(store, 'create', '--source', 'web', '--kind', 'browser', '--rate', '2000');
  t.equal(created.code, 0, created.err);
  const [key] = created.out;
  t.match(key, /^rk_[A-Za-z0-9_-]{43}$/, 'stdout is the key alone');
  const hash = hashWriteKey(key ?? '');
  t.match(
    created.err,
    new RegExp(
      `created write key ${keyId(hash)} for source web \\(browser key, scopes events\\): 2000 events/s, burst 2000`,
    ),
  );
  t.match(created.err, /each client \(address\) using it is also limited/);
  t.match(created.err, /shown only this once/);

  const stored = await redis.hgetall(keys.record(hash));
  t.same(
    Object.keys(stored).sort(),
    ['burst', 'created_at', 'kind', 'rate', 'scopes', 'source'],
    'only the hash and metadata',
  );
  t.notOk(JSON.stringify(stored).includes(key ?? '-'), 'the secret is not stored');
  t.equal(stored['source'], 'web');
  t.equal(stored['kind'], 'browser');
  t.equal(stored['scopes'], 'events', 'events only by default');
  t.equal(await redis.ttl(keys.record(hash)), -1, 'an active key does not expire');

  const ios = await cli(
    store,
    'create',
    '--source',
    'ios',
    '--kind',
    'server',
    '--scope',
    'catalog,events',
    '--rate',
    '10',
    '--burst',
    '50',
    '--json',
  );
  t.equal(ios.code, 0, ios.err);
  const iosKey = JSON.parse(ios.out[0] ?? '{}') as {
    key: string;
    id: string;
    burst: number;
    rate_per_second: number;
  };
  t.match(iosKey, {
    key: /^rk_/,
    id: keyId(hashWriteKey(iosKey.key)),
    kind: 'server',
    scopes: ['events', 'catalog'],
    burst: 50,
    rate_per_second: 10,
  });
  const tiny = await cli(
    store,
    'create',
    '--source',
    'tiny',
    '--kind',
    'server',
    '--scope',
    'catalog',
    '--scope',
    'catalog',
    '--rate',
    '5',
    '--json',
  );
  t.equal(tiny.code, 0);
  const tinyId = (JSON.parse(tiny.out[0] ?? '{}') as { id: string }).id;

  const listed = await cli(store, 'list');
  t.equal(listed.code, 0);
  t.match(listed.out[0], /^ID\s+SOURCE\s+KIND\s+SCOPES\s+RATE\/S\s+BURST\s+CREATED\s+STATUS$/);
  t.same(
    listed.out.slice(1).map((line) => line.split(/\s+/).slice(0, 6)),
    [
      [iosKey.id, 'ios', 'server', 'events,catalog', '10', '50'],
      [tinyId, 'tiny', 'server', 'catalog', '5', '1000'],
      [keyId(hash), 'web', 'browser', 'events', '2000', '2000'],
    ],
    'sorted by source; the default burst is the rate, at least 1000',
  );
  t.notOk(listed.out.join('\n').includes('rk_'), 'list never prints a secret');

  const revoked = await cli(store, 'revoke', keyId(hash));
  t.equal(revoked.code, 0, revoked.err);
  t.match(revoked.err, new RegExp(`revoked write key ${keyId(hash)} of source web at`));
  const ttl = await redis.ttl(keys.record(hash));
  t.ok(ttl > REVOKED_KEY_RETENTION_S - 60 && ttl <= REVOKED_KEY_RETENTION_S, 'a revoked record expires');
  t.match((await cli(store, 'list', '--source', 'web')).out[1], /revoked \d{4}-/);

  const again = await cli(store, 'revoke', key ?? '');
  t.equal(again.code, 2, 'revoking twice is an error');
  t.match(again.err, /already revoked at/);
  const byKey = await cli(store, 'revoke', iosKey.key);
  t.equal(byKey.code, 0, 'the key itself names it too');

  for (const [args, message] of [
    [['revoke', 'abc'], /names no key/],
    [['revoke', 'ffffffffff'], /no write key has the id ffffffffff/],
    [['revoke', 'rk_short'], /not a complete write key/],
    [['create', '--source', 'we b', '--kind', 'server', '--rate', '5'], /source "we b" is invalid/],
    [['create', '--source', 'serving', '--kind', 'server', '--rate', '5'], /source "serving" is reserved/],
    [
      ['create', '--source', 'dlq-replay', '--kind', 'server', '--rate', '5'],
      /source "dlq-replay" is reserved/,
    ],
    [['create', '--source', 'web', '--kind', 'server', '--rate', '0'], /must be a whole number, at least 1/],
    [['create', '--source', 'web', '--kind', 'server'], /required option '--rate/],
    [['create', '--source', 'web', '--rate', '5'], /required option '--kind <kind>' not specified/],
    [['create', '--source', 'web', '--kind', 'public', '--rate', '5'], /Allowed choices are browser, server/],
    [
      ['create', '--source', 'web', '--kind', 'browser', '--scope', 'events,catalog', '--rate', '5'],
      /a browser key can never have the catalog scope/,
    ],
    [
      ['create', '--source', 'web', '--kind', 'server', '--scope', 'events,everything', '--rate', '5'],
      /scope "everything" is invalid: events or catalog/,
    ],
    [['create', '--source', 'web', '--kind', 'server', '--scope', '', '--rate', '5'], /scope "" is invalid/],
  ] as const) {
    const result = await cli(store, ...args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.err, message);
  }

  // A record that has expired (revoked long ago) leaves the index when listed.
  await redis.del(keys.record(hashWriteKey(iosKey.key)));
  t.same(
    (await store.list()).map((r) => r.source),
    ['tiny', 'web'],
  );
  t.notOk(await redis.sismember(keys.sources(), 'ios'), 'a source without keys leaves the index');
});

t.test('a prefix matching several keys is refused, naming them', async (t) => {
  const other = testNamespace('writekeysprefix');
  t.teardown(() => deleteTestKeys(other));
  const redis = await connectRedis(t);
  const store = createWriteKeyStore(redis, other.redisPrefix);
  const a = await store.create({ source: 'a', limit: { ratePerSecond: 1, burst: 1 } });
  const b = await store.create({ source: 'b', limit: { ratePerSecond: 1, burst: 1 } });
  // Real hashes sharing 6 characters are too rare to wait for: index a twin of a's beside b's.
  const twin = `${a.record.hash.slice(0, 6)}${'0'.repeat(58)}`;
  await redis.sadd(writeKeyRedisKeys(other.redisPrefix).sourceIndex('b'), twin);
  await t.rejects(store.revoke(a.record.hash.slice(0, 6)), {
    message: new RegExp(`matches 2 keys \\(.*${keyId(a.record.hash)} of a.*\\): give more characters`),
  });
  t.equal((await store.revoke(keyId(b.record.hash))).source, 'b', 'an unambiguous id still works');
});

t.test(
  'the collector refuses missing, unknown and revoked keys; revocation applies after the cache TTL',
  async (t) => {
    const redis = await connectRedis(t);
    const store = createWriteKeyStore(redis, ns.redisPrefix);
    let now = 1_000_000;
    const { post, events } = await collector(t, redis, { cacheTtlMs: 5000, now: () => now });
    const { key } = await store.create({ source: 'checkout', limit: { ratePerSecond: 1000, burst: 1000 } });

    t.equal(code(await post(null, view('m0'))), 'REC_ERR_WRITE_KEY_MISSING');
    const unknown = await post(`rk_${'x'.repeat(43)}`, view('m1'));
    t.equal(unknown.statusCode, 401);
    t.equal(code(unknown), 'REC_ERR_WRITE_KEY_UNKNOWN');

    t.equal((await post(key, view('ok0'))).statusCode, 202);
    t.equal(events[0]?.source, 'checkout', "the key's source is on the event");

    await store.revoke(key);
    t.equal((await post(key, view('ok1'))).statusCode, 202, 'within the TTL the cached answer stands');
    now += 5000;
    const revoked = await post(key, view('no0'));
    t.equal(revoked.statusCode, 401, 'after the TTL the revocation applies');
    t.equal(code(revoked), 'REC_ERR_WRITE_KEY_REVOKED');
    t.same(
      events.map((e) => e.event_id),
      ['ok0', 'ok1'],
    );
  },
);

t.test('over the limit: 429 with Retry-After, counted in events, shared by two collectors', async (t) => {
  const redis = await connectRedis(t);
  const store = createWriteKeyStore(redis, ns.redisPrefix);
  const { key } = await store.create({ source: 'burst', limit: { ratePerSecond: 1, burst: 10 } });
  const a = await collector(t, redis);
  const b = await collector(t, redis);

  t.equal((await a.post(key, batch('a', 6))).statusCode, 202, 'instance A takes 6 of 10');
  t.equal((await b.post(key, batch('b', 4))).statusCode, 202, 'instance B takes the other 4');
  const limited = await b.post(key, batch('c', 2));
  t.equal(limited.statusCode, 429, 'the bucket is shared: B is over the limit');
  // The body is not read once the bucket is empty: the wait is for the token every request pays
  // first; a batch that still does not fit then is told the wait for all of it.
  t.equal(limited.headers['retry-after'], '1', 'the first token at 1 event/s');
  t.match(limited.json(), {
    error: { code: 'REC_ERR_RATE_LIMITED', message: /over its limit of 1 events\/s \(burst 10\)/ },
  });
  t.equal((await a.post(key, view('d0'))).statusCode, 429, 'and so is A');
  t.equal(a.events.length + b.events.length, 10, 'exactly the burst got through');

  await new Promise((resolve) => setTimeout(resolve, 1100));
  const partly = await a.post(key, batch('e', 3));
  t.equal(partly.statusCode, 429, 'one token back: the batch of 3 still does not fit');
  t.equal(partly.headers['retry-after'], '3', 'and it is told to wait for the 3 its retry will need');

  const other = await store.create({ source: 'burst', limit: { ratePerSecond: 1, burst: 10 } });
  const oversized = await a.post(other.key, batch('f', 11));
  t.equal(oversized.statusCode, 413, 'a batch larger than the burst could never pass');
  const afterOversized = await a.post(other.key, view('f-next'));
  t.equal(afterOversized.statusCode, 429, 'and it cost the whole burst');

  const metrics = (await a.app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /^rec_ingest_requests_refused_total\{reason="rate_limited"\} 3$/m);
  t.match(metrics, /^rec_ingest_requests_refused_total\{reason="over_burst"\} 1$/m);

  const bucket = writeKeyRedisKeys(ns.redisPrefix).bucket(hashWriteKey(key));
  const pttl = await redis.pttl(bucket);
  t.ok(pttl > 0 && pttl <= 11_000, 'the bucket expires once it would be full again');
});

t.test('tokens come back at the key rate', async (t) => {
  const redis = await connectRedis(t);
  const store = createWriteKeyStore(redis, ns.redisPrefix);
  const { key } = await store.create({ source: 'refill', limit: { ratePerSecond: 20, burst: 5 } });
  const { post } = await collector(t, redis);
  t.equal((await post(key, batch('r', 5))).statusCode, 202);
  const limited = await post(key, batch('s', 5));
  t.equal(limited.statusCode, 429);
  t.equal(limited.headers['retry-after'], '1');
  // 5 tokens at 20/s take 250 ms.
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.equal((await post(key, batch('s', 5))).statusCode, 202, 'refilled');
});

t.test('Redis gone: 503 with Retry-After, nothing accepted', async (t) => {
  const redis = await connectRedis(t);
  const store = createWriteKeyStore(redis, ns.redisPrefix);
  const { key } = await store.create({ source: 'outage', limit: { ratePerSecond: 1000, burst: 1000 } });

  // A collector that already knows the key (cached) cannot charge it without Redis.
  const own = createRedis(infra.redisUrl, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  own.on('error', () => undefined);
  await own.connect();
  const cached = await collector(t, own);
  t.equal((await cached.post(key, view('c0'))).statusCode, 202);
  own.disconnect();
  const charged = await cached.post(key, view('c1'));
  t.equal(charged.statusCode, 503);
  t.ok(charged.headers['retry-after'], 'tells the client when to retry');
  t.equal(code(charged), 'REC_ERR_DEPENDENCY_UNAVAILABLE');

  // One that has never seen the key cannot verify it.
  const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  down.on('error', () => undefined);
  t.teardown(() => down.disconnect());
  const cold = await collector(t, down);
  const unverified = await cold.post(key, view('c2'));
  t.equal(unverified.statusCode, 503);
  t.ok(unverified.headers['retry-after']);
  t.equal((await cold.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready');
  t.same(
    [...cached.events, ...cold.events].map((e) => e.event_id),
    ['c0'],
  );
});
