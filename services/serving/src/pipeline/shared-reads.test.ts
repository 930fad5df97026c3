import t from 'tap';
import { SharedReads } from './shared-reads.js';

t.test('reads within the window are shared; after it, read again', async (t) => {
  let now = 0;
  let reads = 0;
  const shared = new SharedReads(1000, () => now);
  const read = () => Promise.resolve(++reads);
  t.equal(await shared.get('popular:60', read), 1);
  now = 999;
  t.equal(await shared.get('popular:60', read), 1, 'shared within the window');
  t.equal(await shared.get('popular:20', read), 2, 'another key is another read');
  now = 1000;
  t.equal(await shared.get('popular:60', read), 3, 'read again once the window is over');
});

t.test('a failed read is not shared', async (t) => {
  let fail = true;
  const shared = new SharedReads(1000, () => 0);
  const read = () => (fail ? Promise.reject(new Error('redis down')) : Promise.resolve('ok'));
  await t.rejects(shared.get('trending:40', read), /redis down/);
  fail = false;
  t.equal(await shared.get('trending:40', read), 'ok');
});

t.test('a zero window reads every time; a negative one is refused', async (t) => {
  let reads = 0;
  const shared = new SharedReads(0, () => 0);
  await shared.get('k', () => Promise.resolve(++reads));
  await shared.get('k', () => Promise.resolve(++reads));
  t.equal(reads, 2);
  t.throws(() => new SharedReads(-1), RangeError);
});
