/**
 * Serving's API keys against the real local Redis: keys issued, listed and revoked through the
 * `serving-keys` commands; missing, malformed, unknown, wrong-kind and revoked keys refused with 401
 * and their own codes; a read key refused on admin routes with 403; per-key limits shared by two
 * instances (429 + Retry-After, a batch costing one per shopper); health, metrics and OpenAPI open;
 * CORS and the body limit; Redis gone → 503.
 */
import t, { type Test } from 'tap';
import { createRedis, type Redis } from '@recstream/redis';
import { servingApp } from '../support/serving-app.js';
import {
  AUTH_ERROR_CODES,
  apiKeyRedisKeys,
  cacheApiKeyLookup,
  createApiKeyStore,
  createRateLimiter,
  hashApiKey,
  keyId,
  runServingKeys,
  type ApiKeyStore,
} from '@recstream/serving/auth';
import { deleteTestKeys, infra, startTcpProxy, testNamespace } from '@recstream/testing';

const ns = testNamespace('servauth');

async function connect(t: Test, url = infra.redisUrl): Promise<Redis> {
  const redis = createRedis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  return redis;
}

async function cli(store: ApiKeyStore, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runServingKeys(args, { store, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
}

async function serving(t: Test, redis: Redis, options: { cacheTtlMs?: number; corsOrigins?: string[] } = {}) {
  const store = createApiKeyStore(redis, ns.redisPrefix);
  return servingApp(t, {
    redis,
    redisPrefix: ns.redisPrefix,
    maxK: 20,
    auth: {
      mode: 'required',
      keys: cacheApiKeyLookup(store.lookup, { ttlMs: options.cacheTtlMs ?? 0 }),
      limiter: createRateLimiter(redis, ns.redisPrefix),
    },
    maxBodyBytes: 4096,
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
  });
}

async function create(store: ApiKeyStore, ...args: string[]): Promise<string> {
  const result = await cli(store, 'create', ...args);
  if (result.code !== 0) throw new Error(result.err);
  return result.out[0] ?? '';
}

t.teardown(() => deleteTestKeys(ns));

t.test('serving-keys: create, list, revoke', async (t) => {
  const redis = await connect(t);
  const store = createApiKeyStore(redis, ns.redisPrefix);
  const created = await cli(store, 'create', '--name', 'shop-web', '--rate', '50');
  t.equal(created.code, 0);
  const key = created.out[0] ?? '';
  t.match(key, /^rs_[A-Za-z0-9_-]{43}$/, 'the key alone on stdout');
  t.match(created.err, /scope read: 50 requests\/s, burst 100/);
  const stored = await redis.hgetall(apiKeyRedisKeys(ns.redisPrefix).record(hashApiKey(key)));
  t.notOk(JSON.stringify(stored).includes(key), 'the secret is not stored');
  t.match(stored, { name: 'shop-web', scope: 'read', rate: '50', burst: '100' });

  const admin = await cli(
    store,
    'create',
    '--name',
    'ops',
    '--scope',
    'admin',
    '--rate',
    '5',
    '--burst',
    '7',
    '--json',
  );
  t.match(JSON.parse(admin.out[0] ?? '{}'), {
    key: /^rs_/,
    name: 'ops',
    scope: 'admin',
    rate_per_second: 5,
    burst: 7,
    revoked_at: null,
  });

  const listed = await cli(store, 'list');
  t.match(listed.out[0], /^ID\s+NAME\s+SCOPE\s+RATE\/S\s+BURST\s+CREATED\s+STATUS$/);
  t.match(
    listed.out.slice(1).join('\n'),
    new RegExp(`${keyId(hashApiKey(key))}\\s+shop-web\\s+read\\s+50\\s+100\\s.*active`),
  );

  const revoked = await cli(store, 'revoke', keyId(hashApiKey(key)));
  t.equal(revoked.code, 0);
  t.match(revoked.err, /revoked API key .* "shop-web"/);
  t.match(
    (await cli(store, 'list', '--json')).out.map((l) => JSON.parse(l) as unknown),
    [
      { name: 'ops', revoked_at: null },
      { name: 'shop-web', revoked_at: /^20/ },
    ],
  );

  for (const [args, message] of [
    [['revoke', keyId(hashApiKey(key))], /already revoked/],
    [['revoke', 'abc'], /names no key/],
    [['revoke', '000000'], /no API key has the id 000000/],
    [['create', '--name', 'bad name', '--rate', '1'], /name "bad name" is invalid/],
    [['create', '--name', 'x', '--rate', '0'], /must be a whole number/],
    [['create', '--name', 'x', '--rate', '1', '--scope', 'root'], /Allowed choices are read, admin/],
  ] as const) {
    const result = await cli(store, ...args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.err, message);
  }
});

t.test('the API refuses what is not an active key of the right scope', async (t) => {
  const redis = await connect(t);
  const store = createApiKeyStore(redis, ns.redisPrefix);
  const app = await serving(t, redis);
  const read = await create(store, '--name', 'reader', '--rate', '1000');
  const admin = await create(store, '--name', 'operator', '--scope', 'admin', '--rate', '1000');
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  const missing = await get('/v1/recommendations/popular');
  t.equal(missing.statusCode, 401);
  t.equal(missing.headers['www-authenticate'], 'Bearer');
  t.match(missing.json(), { error: { code: AUTH_ERROR_CODES.missing, message: /Authorization: Bearer/ } });

  const refusals: [Record<string, string>, string, RegExp][] = [
    [{ authorization: 'Basic dXNlcjpwYXNz' }, AUTH_ERROR_CODES.unknown, /must be `Bearer <API key>`/],
    [bearer('rs_short'), AUTH_ERROR_CODES.unknown, /malformed/],
    [bearer(`rk_${read.slice(3)}`), AUTH_ERROR_CODES.unknown, /ingest write key/],
    [bearer(`rs_${'A'.repeat(43)}`), AUTH_ERROR_CODES.unknown, /is not known/],
    [{ ...bearer(read), 'x-api-key': admin }, AUTH_ERROR_CODES.unknown, /different keys/],
  ];
  for (const [headers, code, message] of refusals) {
    const response = await get('/v1/recommendations?user_id=u-1', headers);
    t.equal(response.statusCode, 401, JSON.stringify(headers));
    t.match(response.json(), { error: { code, message } });
  }

  t.equal((await get('/v1/recommendations/popular?k=3', bearer(read))).statusCode, 200, 'Bearer');
  t.equal((await get('/v1/recommendations/popular?k=3', { 'x-api-key': read })).statusCode, 200, 'x-api-key');
  t.equal((await get('/v1/recommendations/popular?k=3', bearer(admin))).statusCode, 200, 'admin reads too');

  const forbidden = await get('/v1/admin/experiments', bearer(read));
  t.equal(forbidden.statusCode, 403);
  t.match(forbidden.json(), {
    error: { code: AUTH_ERROR_CODES.forbidden, message: /has scope read; this route needs admin/ },
  });
  const allowed = await get('/v1/admin/experiments', bearer(admin));
  t.equal(allowed.statusCode, 200);
  t.same(allowed.json(), { experiments: [] });

  for (const open of ['/livez', '/readyz', '/metrics', '/openapi.json'])
    t.equal((await get(open)).statusCode, 200, `${open} needs no key`);
  const openapi = (await get('/openapi.json')).json<{
    components: { securitySchemes: object };
    paths: Record<string, { get?: { security?: unknown } }>;
  }>();
  t.ok(openapi.components.securitySchemes, 'the schemes are documented');
  t.ok(openapi.paths['/v1/recommendations']?.get?.security, 'and which routes need them');

  await store.revoke(read);
  const revoked = await get('/v1/recommendations/popular', bearer(read));
  t.equal(revoked.statusCode, 401);
  t.match(revoked.json(), { error: { code: AUTH_ERROR_CODES.revoked, message: /was revoked at/ } });
  t.match(
    await app.inject({ method: 'GET', url: '/metrics' }).then((r) => r.body),
    /rec_serving_requests_refused_total\{reason="revoked_key"\} 1/,
  );
});

t.test('per-key rate limits, shared by instances; a batch costs one per shopper', async (t) => {
  const redis = await connect(t);
  const store = createApiKeyStore(redis, ns.redisPrefix);
  const [one, two] = [await serving(t, redis), await serving(t, redis)];
  const key = await create(store, '--name', 'limited', '--rate', '1', '--burst', '4');
  const headers = { authorization: `Bearer ${key}` };
  const statuses: number[] = [];
  for (const app of [one, two, one, two, one])
    statuses.push(
      (await app.inject({ method: 'GET', url: '/v1/recommendations/popular', headers })).statusCode,
    );
  t.same(statuses, [200, 200, 200, 200, 429], 'the burst of 4 is shared by both instances');
  const limited = await two.inject({ method: 'GET', url: '/v1/recommendations/popular', headers });
  t.equal(limited.statusCode, 429);
  t.equal(limited.headers['retry-after'], '1');
  t.match(limited.json(), {
    error: { code: 'REC_ERR_RATE_LIMITED', message: /over its limit of 1 requests\/s \(burst 4\)/ },
  });

  const campaign = await create(store, '--name', 'campaign', '--rate', '1', '--burst', '5');
  const batch = (n: number) =>
    one.inject({
      method: 'POST',
      url: '/v1/recommendations/batch',
      headers: { authorization: `Bearer ${campaign}` },
      payload: { requests: Array.from({ length: n }, (_, i) => ({ user_id: `u-${i}`, k: 2 })) },
    });
  t.not((await batch(4)).statusCode, 429, 'four shoppers fit the burst of five');
  t.equal((await batch(4)).statusCode, 429, 'four more do not');
});

t.test('CORS for configured origins, the body limit', async (t) => {
  const redis = await connect(t);
  const app = await serving(t, redis, { corsOrigins: ['https://shop.example'] });
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/recommendations',
    headers: {
      origin: 'https://shop.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], 'https://shop.example');
  t.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
  const other = await app.inject({
    method: 'OPTIONS',
    url: '/v1/recommendations',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
  });
  t.equal(other.headers['access-control-allow-origin'], undefined, 'other origins get no CORS headers');

  const store = createApiKeyStore(redis, ns.redisPrefix);
  const key = await create(store, '--name', 'big', '--rate', '100');
  const big = await app.inject({
    method: 'POST',
    url: '/v1/recommendations/complements',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: JSON.stringify({
      item_ids: Array.from({ length: 100 }, (_, i) => `${'x'.repeat(60)}-${i}`),
      k: 5,
    }),
  });
  t.equal(big.statusCode, 413);
  t.match(big.json(), { error: { code: 'REC_ERR_PAYLOAD_TOO_LARGE' } });
});

t.test('Redis unreachable: 503 with Retry-After, never a crash and never let through', async (t) => {
  const target = new URL(infra.redisUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  t.teardown(() => proxy.close());
  const redis = await connect(t, `redis://127.0.0.1:${proxy.port}`);
  const store = createApiKeyStore(await connect(t), ns.redisPrefix);
  const key = await create(store, '--name', 'outage', '--rate', '100');
  const app = await serving(t, redis);
  proxy.cut();
  const response = await app.inject({
    method: 'GET',
    url: '/v1/recommendations/popular',
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(response.statusCode, 503);
  t.equal(response.headers['retry-after'], '1');
});
