import { createHash } from 'node:crypto';
import t from 'tap';
import {
  KEY_ID_LENGTH,
  SOURCE_PATTERN,
  generateWriteKey,
  hashWriteKey,
  isKeyHash,
  isWellFormedWriteKey,
  keyAllows,
  keyId,
  limitsClients,
  normaliseScopes,
  rateLimitProblems,
  scopeProblems,
} from './write-key.js';

t.test('a generated key is rk_ and 32 random bytes in base64url', (t) => {
  const key = generateWriteKey();
  t.match(key, /^rk_[A-Za-z0-9_-]{43}$/);
  t.equal(Buffer.from(key.slice(3), 'base64url').length, 32, 'decodes to 32 bytes');
  t.ok(isWellFormedWriteKey(key));
  const many = new Set(Array.from({ length: 1000 }, generateWriteKey));
  t.equal(many.size, 1000, 'no two keys alike');
  t.end();
});

t.test('malformed keys are recognised without a lookup', (t) => {
  const key = generateWriteKey();
  for (const bad of [
    '',
    key.slice(3),
    `RK_${key.slice(3)}`,
    key.slice(0, -1),
    `${key}A`,
    `${key.slice(0, -1)}=`,
    `${key.slice(0, -1)}+`,
    ` ${key}`,
    'rk_' + 'a'.repeat(42) + '/',
  ])
    t.notOk(isWellFormedWriteKey(bad), `refuses ${JSON.stringify(bad)}`);
  t.end();
});

t.test('the stored hash is the SHA-256 of the whole key, lowercase hex; the id is its start', (t) => {
  const key = 'rk_' + 'A'.repeat(43);
  const expected = createHash('sha256').update(key).digest('hex');
  t.equal(hashWriteKey(key), expected);
  t.ok(isKeyHash(hashWriteKey(key)));
  t.not(hashWriteKey(key), hashWriteKey('rk_' + 'A'.repeat(42) + 'B'), 'one character apart, another hash');
  t.equal(keyId(expected), expected.slice(0, KEY_ID_LENGTH));
  t.equal(keyId(expected).length, 8);
  t.notOk(isKeyHash(expected.toUpperCase()));
  t.notOk(isKeyHash(expected.slice(1)));
  t.end();
});

t.test('source names are short identifiers', (t) => {
  for (const ok of ['web', 'ios-app', 'shop_1.eu', 'A', 'x'.repeat(64)]) t.ok(SOURCE_PATTERN.test(ok), ok);
  for (const bad of ['', '-web', 'we b', 'web:1', 'x'.repeat(65), 'wéb', 'web\n'])
    t.notOk(SOURCE_PATTERN.test(bad), JSON.stringify(bad));
  t.end();
});

t.test('rate limits are whole numbers of at least 1', (t) => {
  t.same(rateLimitProblems({ ratePerSecond: 2000, burst: 1 }), []);
  t.match(rateLimitProblems({ ratePerSecond: 0, burst: 10 }), [/rate must be .* at least 1 \(got 0\)/]);
  t.match(rateLimitProblems({ ratePerSecond: 1.5, burst: 0 }), [/rate/, /burst .* \(got 0\)/]);
  t.equal(rateLimitProblems({ ratePerSecond: NaN, burst: Infinity }).length, 2);
  t.end();
});

t.test('kinds and scopes: a browser key can never have the catalog scope', (t) => {
  t.same(scopeProblems('browser', ['events']), []);
  t.same(scopeProblems('server', ['events', 'catalog']), []);
  t.same(scopeProblems('server', ['catalog']), []);
  t.match(scopeProblems('browser', ['events', 'catalog']), [/browser key can never have the catalog scope/]);
  t.match(scopeProblems('browser', ['catalog']), [/browser key can never have the catalog scope/]);
  t.match(scopeProblems('server', []), [/at least one scope/]);
  t.match(scopeProblems('admin', ['events', 'all']), [/kind "admin" is invalid/, /scope "all" is invalid/]);
  t.same(
    normaliseScopes(['catalog', 'events', 'catalog']),
    ['events', 'catalog'],
    'stored order, no repeats',
  );
  t.end();
});

t.test('a key reaches a route only with its scope; catalog only for server keys', (t) => {
  t.ok(keyAllows({ kind: 'server', scopes: ['catalog'] }, 'catalog'));
  t.notOk(keyAllows({ kind: 'server', scopes: ['catalog'] }, 'events'));
  t.ok(keyAllows({ kind: 'browser', scopes: ['events'] }, 'events'));
  t.notOk(keyAllows({ kind: 'browser', scopes: ['events'] }, 'catalog'));
  t.notOk(keyAllows({ kind: 'legacy', scopes: ['events'] }, 'catalog'), 'a legacy key is events only');
  // A record that pairs a public kind with catalog (written by hand, or tampered with) still cannot.
  t.notOk(keyAllows({ kind: 'browser', scopes: ['events', 'catalog'] }, 'catalog'));
  t.notOk(keyAllows({ kind: 'legacy', scopes: ['events', 'catalog'] }, 'catalog'));
  t.ok(limitsClients('browser') && limitsClients('legacy'), 'public keys are limited per client');
  t.notOk(limitsClients('server'));
  t.end();
});
