import t from 'tap';
import { anonymousSubject, featureKeys, userSubject } from '@recstream/features';
import { Reservoir, estimateFamily, keyFamily, sumFamilies } from './key-families.js';

t.test('every key family of keys.ts is recognised', (t) => {
  const keys = featureKeys('test_x');
  const base = 'test_x:f1';
  const user = userSubject('42');
  const anonymous = anonymousSubject({ anonymous_id: 'dev-1' }) ?? '';
  const expected: [string, string][] = [
    [keys.itemPopularity(), 'item:pop'],
    [keys.itemPopularityShort(), 'item:pop:short'],
    [keys.categoryPopularity('Beauty > Care'), 'cat:pop'],
    [keys.categoryPending(), 'cat:pop'],
    [keys.itemMeta(), 'item:meta'],
    [keys.itemWindows('sku-1'), 'item:win'],
    [keys.itemCovisits('sku-1'), 'item:covis'],
    [keys.itemBoughtTogether('sku-1'), 'item:cobuy'],
    [keys.globalCounts(), 'bookkeeping'],
    [keys.appliedOffsets(), 'bookkeeping'],
    [keys.state(), 'bookkeeping'],
    [keys.subjectSequence(user), 'sub:seq'],
    [keys.subjectCategoryAffinity(anonymous), 'sub:aff:cat'],
    [keys.subjectBrandAffinity(user), 'sub:aff:brand'],
    [keys.subjectSearches(user), 'sub:searches'],
    [keys.subjectCart(user), 'sub:cart'],
    [keys.subjectCartRemovals(user), 'sub:cart:removed'],
    [keys.subjectPurchased(user), 'sub:bought'],
    [keys.sessionItems('s-1'), 'sess:items'],
    [keys.alias(anonymous), 'alias'],
    [keys.seenEvents(5_903_000), 'seen'],
    ['test_y:f1:item:pop', 'unknown'],
    [`${base}:sub:u:1:mystery`, 'unknown'],
  ];
  for (const [key, family] of expected) t.equal(keyFamily(key, base), family, key);
  t.end();
});

t.test('the reservoir keeps a uniform sample of bounded size', (t) => {
  let state = 1;
  const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const hits = new Array<number>(10).fill(0);
  const shapes = new Set<string>();
  for (let round = 0; round < 2000; round += 1) {
    const reservoir = new Reservoir<number>(3, random);
    for (let value = 0; value < 10; value += 1) reservoir.offer(value);
    shapes.add(`${reservoir.sample.length}/${reservoir.count}`);
    for (const value of reservoir.sample) hits[value]! += 1;
  }
  t.same([...shapes], ['3/10'], 'always 3 kept of 10 offered');
  // Each value kept with probability 3/10: 600 of 2000 rounds.
  for (const count of hits) t.ok(count > 500 && count < 700, `kept ${count} times`);
  const small = new Reservoir<string>(5, random);
  small.offer('a');
  t.same(small.sample, ['a'], 'fewer values than room: all kept');
  t.throws(() => new Reservoir(0, random), /positive integer/);
  t.end();
});

t.test('family estimates extrapolate the sample mean', (t) => {
  t.same(estimateFamily(1000, [100, 200]), { keys: 1000, sampled: 2, bytes_per_key: 150, bytes: 150_000 });
  t.same(estimateFamily(0, []), { keys: 0, sampled: 0, bytes_per_key: 0, bytes: 0 });
  t.throws(() => estimateFamily(10, []), /no sample/);
  t.equal(
    sumFamilies({ seen: estimateFamily(2, [10]), alias: estimateFamily(1, [5]) }, [
      'seen',
      'alias',
      'sub:seq',
    ]),
    25,
  );
  t.end();
});
