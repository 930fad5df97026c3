import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import { CatalogIndex, MAX_FUZZY_TERMS, MAX_QUERY_TERMS } from './catalog-index.js';

const item = (itemId: string, title: string, category: string, brand: string): ItemMeta => ({
  itemId,
  title,
  category,
  categoryPath: category.split(' > '),
  brand,
  price: 10,
  currency: 'EUR',
  availability: 'in_stock',
});

const items = [
  item('a', 'Red Velvet Lipstick', 'Beauty > Lips', 'Acme'),
  item('b', 'Nude Lipstick', 'Beauty > Lips', 'Bloom'),
  item('c', 'Acme Travel Mug', 'Kitchen > Mugs', 'Acme'),
  item('d', 'Stove', 'Outdoor > Stoves', 'Acme'),
];

t.test('strict: every word, prefix on the last one, one typo in long words', async (t) => {
  const index = await CatalogIndex.build(items, 1);
  const find = (q: string) => index.find(q, 'strict').map((h) => h.itemId);
  t.same(find('red lipstick'), ['a']);
  t.same(find('lipst').sort(), ['a', 'b']);
  t.same(find('lipstik').sort(), ['a', 'b'], 'one typo');
  t.same(find('lipstcik'), [], 'two typos are too many for a full match');
  t.same(find('l'), [], 'one letter is no prefix');
  t.same(find('!!! ;--'), [], 'no words, no matches');
  t.same(find('acme')[0], 'c', 'the brand in the title beats the brand field alone');
  t.same(find('beauty').sort(), ['a', 'b'], 'categories are searched');
});

t.test('relaxed: any word, more typos', async (t) => {
  const index = await CatalogIndex.build(items, 1);
  t.same(index.find('velvet mug', 'strict'), []);
  t.same(
    index
      .find('velvet mug', 'relaxed')
      .map((h) => h.itemId)
      .sort(),
    ['a', 'c'],
  );
  t.same(
    index
      .find('lipstcik', 'relaxed')
      .map((h) => h.itemId)
      .sort(),
    ['a', 'b'],
  );
});

t.test('title words count items, duplicates are indexed once', async (t) => {
  const index = await CatalogIndex.build([...items, items[0] as ItemMeta], 7);
  t.equal(index.size, 4);
  t.equal(index.builtAtMs, 7);
  t.same(index.titleWords.complete('lip', 5), [{ text: 'lipstick', weight: 2 }]);
  t.equal(CatalogIndex.empty().find('lipstick', 'relaxed').length, 0);
});

t.test('descriptions are searched, below every other field', async (t) => {
  const withDescription = (meta: ItemMeta, description: string): ItemMeta => ({ ...meta, description });
  const index = await CatalogIndex.build(
    [
      withDescription(
        item('m', 'Travel Mug', 'Kitchen > Mugs', 'Acme'),
        'Keeps coffee hot for hours; velvet grip',
      ),
      item('v', 'Velvet Cushion', 'Home > Cushions', 'Bloom'),
      item('x', 'Enamel Mug', 'Kitchen > Mugs', 'Acme'),
    ],
    1,
  );
  const find = (q: string) => index.find(q, 'strict').map((h) => h.itemId);
  t.same(find('coffee'), ['m'], 'a word only the description has');
  t.same(find('mug coffee'), ['m'], 'every word may come from any field');
  t.same(find('velvet'), ['v', 'm'], 'the title match ranks above the description match');
});

t.test('a long query is bounded: words past the cap are ignored, typos only in the first few', async (t) => {
  const index = await CatalogIndex.build(items, 1);
  const filler = Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `qqzx${i}`);
  t.same(index.find([...filler, 'stove'].join(' '), 'relaxed'), [], 'a word past the cap does not count');
  t.same(
    index.find([...filler.slice(1), 'stove'].join(' '), 'relaxed').map((h) => h.itemId),
    ['d'],
    'the same word within the cap matches',
  );
  const typo = 'lipstcik';
  t.ok(index.find(typo, 'relaxed').length > 0, 'a typo in the first word is forgiven');
  t.same(
    index.find([...filler.slice(0, MAX_FUZZY_TERMS), typo].join(' '), 'relaxed'),
    [],
    'a typo past the first few words is not',
  );
});
