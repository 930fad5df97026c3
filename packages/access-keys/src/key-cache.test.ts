import t from 'tap';
import { cacheKeyLookup } from './index.js';
import type { KeyRecordBase } from './key-store.js';

/** The cache serves every kind alike (ingest's write keys, serving's API keys). */
type WriteKeyRecord = KeyRecordBase & { readonly source: string };

const record = (hash: string, revoked = false): WriteKeyRecord => ({
  hash,
  source: 'web',
  createdAt: new Date('2026-05-01T00:00:00Z'),
  ...(revoked ? { revokedAt: new Date('2026-05-02T00:00:00Z') } : {}),
  limit: { ratePerSecond: 10, burst: 10 },
});

/** A store whose answers the test changes, counting how often it is asked. */
function fakeStore() {
  const records = new Map<string, WriteKeyRecord>();
  const calls: string[] = [];
  let failure: Error | undefined;
  return {
    records,
    calls,
    fail(error: Error | undefined) {
      failure = error;
    },
    lookup(hash: string): Promise<WriteKeyRecord | undefined> {
      calls.push(hash);
      return failure === undefined ? Promise.resolve(records.get(hash)) : Promise.reject(failure);
    },
  };
}

function clock() {
  let ms = 1_000_000;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

t.test('an answer is reused for the TTL, then looked up again (how a revocation arrives)', async (t) => {
  const store = fakeStore();
  const time = clock();
  store.records.set('a', record('a'));
  const lookup = cacheKeyLookup((h) => store.lookup(h), { ttlMs: 5000, now: time.now });

  t.equal((await lookup('a'))?.revokedAt, undefined);
  store.records.set('a', record('a', true));
  time.advance(4999);
  t.equal((await lookup('a'))?.revokedAt, undefined, 'still the cached answer within the TTL');
  t.equal(store.calls.length, 1, 'one store lookup so far');
  time.advance(1);
  t.ok((await lookup('a'))?.revokedAt, 'the revocation is seen once the TTL has passed');
  t.equal(store.calls.length, 2);
});

t.test('unknown keys are cached too, so a wrong key does not hit Redis on every request', async (t) => {
  const store = fakeStore();
  const time = clock();
  const lookup = cacheKeyLookup((h) => store.lookup(h), { ttlMs: 1000, now: time.now });
  for (let i = 0; i < 5; i += 1) t.equal(await lookup('nope'), undefined);
  t.equal(store.calls.length, 1);
  store.records.set('nope', record('nope'));
  time.advance(1000);
  t.ok(await lookup('nope'), 'a key created meanwhile is found after the TTL');
});

t.test('a failed lookup is not cached: the next request asks again', async (t) => {
  const store = fakeStore();
  const time = clock();
  store.records.set('a', record('a'));
  const lookup = cacheKeyLookup((h) => store.lookup(h), { ttlMs: 5000, now: time.now });
  store.fail(new Error('redis down'));
  await t.rejects(lookup('a'), /redis down/);
  store.fail(undefined);
  t.ok(await lookup('a'));
  t.equal(store.calls.length, 2);
});

t.test('concurrent lookups of one key share a single store call', async (t) => {
  const store = fakeStore();
  store.records.set('a', record('a'));
  const lookup = cacheKeyLookup((h) => store.lookup(h), { ttlMs: 5000 });
  const answers = await Promise.all(Array.from({ length: 20 }, () => lookup('a')));
  t.equal(store.calls.length, 1);
  t.ok(answers.every((answer) => answer?.hash === 'a'));
});

t.test('at most maxEntries keys are held; the oldest answer goes first', async (t) => {
  const store = fakeStore();
  const lookup = cacheKeyLookup((h) => store.lookup(h), { ttlMs: 60_000, maxEntries: 3 });
  for (const hash of ['a', 'b', 'c', 'd']) await lookup(hash);
  t.equal(store.calls.length, 4);
  await lookup('d');
  await lookup('b');
  t.equal(store.calls.length, 4, 'b, c and d are still cached');
  await lookup('a');
  t.equal(store.calls.length, 5, 'a was evicted');
});

t.test('a TTL of 0 asks the store every time', async (t) => {
  const store = fakeStore();
  const time = clock();
  const lookup = cacheKeyLookup((h) => store.lookup(h), { ttlMs: 0, now: time.now });
  await lookup('a');
  await lookup('a');
  t.equal(store.calls.length, 2);
});

t.test('invalid options are refused', (t) => {
  const lookup = () => Promise.resolve(undefined);
  t.throws(() => cacheKeyLookup(lookup, { ttlMs: -1 }), /ttlMs/);
  t.throws(() => cacheKeyLookup(lookup, { ttlMs: 10, maxEntries: 0 }), /maxEntries/);
  t.end();
});
