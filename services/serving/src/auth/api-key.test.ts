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
} from './api-key.js';

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
