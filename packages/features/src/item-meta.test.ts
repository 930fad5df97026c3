import t from 'tap';
import { ItemMetaParseCache, toItemMeta, type ItemMeta } from './item-meta.js';

const meta = (itemId: string, price: number): ItemMeta =>
  toItemMeta({
    item_id: itemId,
    title: `Title ${itemId}`,
    category_path: ['Shop', 'Things'],
    brand: 'Acme',
    price,
    currency: 'EUR',
    availability: 'in_stock',
  });

t.test('an unchanged stored value is parsed once; a changed one is parsed again', (t) => {
  const cache = new ItemMetaParseCache(10);
  const stored = JSON.stringify(meta('a', 10));
  const first = cache.parse('a', stored);
  t.same(first, meta('a', 10));
  t.equal(cache.parse('a', `${stored}`), first, 'the same object for the same value');
  const changed = cache.parse('a', JSON.stringify(meta('a', 12)));
  t.equal(changed.price, 12, 'a new price is seen at once');
  t.equal(cache.size, 1);
  t.end();
});

t.test('it holds at most maxEntries items, forgetting the longest-held first', (t) => {
  const cache = new ItemMetaParseCache(2);
  const a = cache.parse('a', JSON.stringify(meta('a', 1)));
  cache.parse('b', JSON.stringify(meta('b', 2)));
  cache.parse('c', JSON.stringify(meta('c', 3)));
  t.equal(cache.size, 2);
  const again = cache.parse('a', JSON.stringify(meta('a', 1)));
  t.not(again, a, 'a was forgotten and parsed anew');
  t.same(again, a);
  t.end();
});

t.test('malformed stored values throw, as without the cache', (t) => {
  const cache = new ItemMetaParseCache(2);
  t.throws(() => cache.parse('a', '{not json'), SyntaxError);
  t.throws(() => new ItemMetaParseCache(0), RangeError);
  t.end();
});
