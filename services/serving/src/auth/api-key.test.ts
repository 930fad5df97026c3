import { createHash } from 'node:crypto';
import t from 'tap';
import {
  generateApiKey,
  hashApiKey,
  isKeyHash,
  isWellFormedApiKey,
  keyId,
  looksLikeWriteKey,
  rateLimitProblems,
  scopeAllows,
  type ApiKeyRecord,
} from './api-key.js';
import { cacheApiKeyLookup } from './api-key.cache.js';

t.test('a key is rs_ and 32 random bytes; only its SHA-256 is kept', (t) => {
  const key = generateApiKey();
  t.match(key, /^rs_[A-Za-z0-9_-]{43}$/);
  t.equal(Buffer.from(key.slice(3), 'base64url').length, 32);
  t.ok(isWellFormedApiKey(key));
  t.equal(new Set(Array.from({ length: 1000 }, generateApiKey)).size, 1000);
  t.equal(hashApiKey(key), createHash('sha256').update(key).digest('hex'));
  t.ok(isKeyHash(hashApiKey(key)));
  t.equal(keyId(hashApiKey(key)), hashApiKey(key).slice(0, 8));
  for (const bad of ['', key.slice(3), `${key}A`, key.slice(0, -1), ` ${key}`, `rk_${key.slice(3)}`])
    t.notOk(isWellFormedApiKey(bad), `refuses ${JSON.stringify(bad)}`);
  t.ok(looksLikeWriteKey(`rk_${key.slice(3)}`), 'an ingest write key is recognised as such');
  t.end();
});

t.test('admin may do what read may; read may not do admin', (t) => {
  t.ok(scopeAllows('read', 'read'));
  t.ok(scopeAllows('admin', 'read'));
  t.ok(scopeAllows('admin', 'admin'));
  t.notOk(scopeAllows('read', 'admin'));
  t.end();
});

t.test('rate limits are whole numbers of at least 1', (t) => {
  t.same(rateLimitProblems({ ratePerSecond: 100, burst: 1 }), []);
  t.match(rateLimitProblems({ ratePerSecond: 0, burst: 1.5 }), [/rate .* \(got 0\)/, /burst .* \(got 1.5\)/]);
  t.end();
});

t.test('lookups are cached for the TTL, failures are not, and the cache is bounded', async (t) => {
  let ms = 0;
  const calls: string[] = [];
  let fail = false;
  const record = {
    hash: 'h',
    name: 'web',
    scope: 'read',
    createdAt: new Date(0),
    limit: { ratePerSecond: 1, burst: 1 },
  } as const;
  const lookup = cacheApiKeyLookup(
    (hash) => {
      calls.push(hash);
      return fail
        ? Promise.reject(new Error('redis down'))
        : Promise.resolve<ApiKeyRecord | undefined>(hash === 'h' ? record : undefined);
    },
    { ttlMs: 1000, maxEntries: 2, now: () => ms },
  );
  t.equal(await lookup('h'), record);
  t.equal(await lookup('h'), record);
  t.equal(await lookup('nope'), undefined);
  t.equal(await lookup('nope'), undefined);
  t.same(calls, ['h', 'nope'], 'known and unknown keys are both cached');
  ms = 1000;
  await lookup('h');
  t.same(calls, ['h', 'nope', 'h'], 'asked again after the TTL (how a revocation arrives)');
  await lookup('other');
  await lookup('h');
  await lookup('third');
  await lookup('nope');
  t.equal(calls.filter((c) => c === 'nope').length, 2, 'the oldest answer was evicted past maxEntries');
  fail = true;
  ms = 5000;
  await t.rejects(lookup('h'), /redis down/);
  fail = false;
  t.equal(await lookup('h'), record, 'a failure is not remembered');
});
