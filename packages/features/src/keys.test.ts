import t from 'tap';
import { featureKeys } from './keys.js';

t.test('a prefix has one layout, built once; another prefix has its own', (t) => {
  const shop = featureKeys('shop');
  t.equal(featureKeys('shop'), shop, 'the same object on every call');
  t.equal(shop.itemPopularity(), 'shop:f1:item:pop');
  const other = featureKeys('other');
  t.not(other, shop);
  t.equal(other.itemPopularity(), 'other:f1:item:pop');
  t.equal(featureKeys('shop').itemPopularity(), 'shop:f1:item:pop');
  t.end();
});

t.test('many prefixes: every layout stays right as old ones are dropped', (t) => {
  for (let i = 0; i < 200; i += 1) t.equal(featureKeys(`p${i}`).appliedOffsets(), `p${i}:f1:offsets`);
  t.equal(featureKeys('p0').appliedOffsets(), 'p0:f1:offsets');
  t.end();
});
