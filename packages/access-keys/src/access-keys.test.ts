import t from 'tap';
import { rateLimitProblems } from './rate-limit.js';
import type { Redis } from 'ioredis';
import { createKeyStore, type AccessKeyKind, type KeyRecordBase } from './key-store.js';
import { withoutPassword } from './keys-cli.js';
import { table } from './keys-command.js';
import { hashSecret, keyId, secretKind } from './secret.js';

const kind = secretKind('zz_');
const fail = (message: string) => new Error(message);

t.test('a kind generates and recognises only its own keys', (t) => {
  const key = kind.generate();
  t.match(key, /^zz_[A-Za-z0-9_-]{43}$/);
  t.ok(kind.isWellFormed(key));
  t.notOk(secretKind('yy_').isWellFormed(key), "another kind's key");
  t.notOk(kind.isWellFormed(key.slice(0, -1)), 'one character short');
  t.throws(() => secretKind('zz'), /two letters and '_'/);
  t.end();
});

t.test('rate limits are judged in the unit they count', (t) => {
  t.same(rateLimitProblems({ ratePerSecond: 5, burst: 10 }, 'requests'), []);
  t.same(rateLimitProblems({ ratePerSecond: 0, burst: 1.5 }, 'requests'), [
    'rate must be a whole number of requests per second, at least 1 (got 0)',
    'burst must be a whole number of requests, at least 1 (got 1.5)',
  ]);
  t.end();
});

t.test('a reference names one key by id, hash prefix or the key itself', async (t) => {
  const key = kind.generate();
  const hash = hashSecret(key);
  // Two hashes sharing their first six characters, to make a prefix ambiguous.
  const near = `${hash.slice(0, 6)}${hash.slice(6).replace(/./g, (c) => (c === '0' ? '1' : '0'))}`;
  // Resolving reads only the index (one set of every key): a stand-in Redis answers it.
  const redis = { smembers: () => Promise.resolve([hash, near]) } as unknown as Redis;
  const testKind: AccessKeyKind<KeyRecordBase, object> = {
    secret: kind,
    noun: 'test key',
    unit: 'units',
    fail,
    layout: () => ({ record: (h) => h, bucket: (h) => h, index: { all: () => 'all' } }),
    check: () => [],
    create: () => ({ stored: {}, own: {} }),
    read: (_fields, base) => base,
    sortKey: () => '',
  };
  const resolve = (reference: string) => createKeyStore(redis, 'p', testKind).resolve(reference);
  t.equal(await resolve(keyId(hash)), hash, 'its id');
  t.equal(await resolve(` ${key} `), hash, 'the key itself, trimmed');
  t.equal(await resolve(hash.toUpperCase()), hash, 'the whole hash, any case');
  await t.rejects(resolve(hash.slice(0, 6)), /matches 2 keys \([0-9a-f]{8}, [0-9a-f]{8}\)/);
  await t.rejects(resolve('abc'), /names no key/);
  await t.rejects(resolve('zz_short'), /not a complete test key/);
  await t.rejects(resolve('ffffffffffff'), /no test key has the id ffffffffffff/);
});

t.test('a table aligns its columns', (t) => {
  t.same(
    table([
      ['ID', 'NAME'],
      ['abc', 'x'],
    ]),
    ['ID   NAME', 'abc  x'],
  );
  t.end();
});

t.test('a Redis URL is shown without its password', (t) => {
  t.equal(withoutPassword('redis://:s3cret@10.0.0.1:6379/0'), 'redis://:***@10.0.0.1:6379/0');
  t.equal(withoutPassword('redis://app:s3cret@host:6379'), 'redis://app:***@host:6379');
  t.equal(withoutPassword('redis://127.0.0.1:16379'), 'redis://127.0.0.1:16379', 'nothing to hide');
  t.notMatch(withoutPassword('not a url :s3cret@'), /s3cret/);
  t.end();
});
