import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import { applyFilters, parseCategoryPath, type FilterSpec } from './filters.js';
import type { BlendedCandidate } from './types.js';

const meta = (itemId: string, over: Partial<ItemMeta> = {}): ItemMeta => ({
  itemId,
  title: itemId,
  category: (over.categoryPath ?? ['Beauty', 'Makeup', 'Lips']).join(' > '),
  categoryPath: ['Beauty', 'Makeup', 'Lips'],
  brand: 'Acme',
  price: 10,
  currency: 'EUR',
  availability: 'in_stock',
  ...over,
});
const candidate = (itemId: string): BlendedCandidate => ({
  itemId,
  score: 1,
  source: 'popular',
  reason: { code: 'popular_now' },
});
const catalog = new Map<string, ItemMeta>([
  ['ok', meta('ok')],
  ['gone', meta('gone', { availability: 'out_of_stock' })],
  ['dead', meta('dead', { availability: 'discontinued' })],
  ['pre', meta('pre', { availability: 'preorder' })],
  ['dear', meta('dear', { price: 99 })],
  ['tent', meta('tent', { categoryPath: ['Outdoor', 'Tents'] })],
  ['makeover', meta('makeover', { categoryPath: ['Beauty', 'Makeover'] })],
]);
const run = (spec: Partial<FilterSpec>) =>
  applyFilters([...catalog.keys(), 'nowhere'].map(candidate), catalog, { excludeIds: new Set(), ...spec });
const ids = (spec: Partial<FilterSpec>) => run(spec).kept.map((c) => c.itemId);

t.test('never shown: unknown to the catalog, not for sale, excluded', (t) => {
  const result = run({ excludeIds: new Set(['ok']) });
  t.same(
    result.kept.map((c) => c.itemId),
    ['pre', 'dear', 'tent', 'makeover'],
  );
  t.same(result.dropped, { excluded: 1, unavailable: 2, unknown_item: 1 });
  t.equal(result.kept[0]?.meta.itemId, 'pre', 'kept candidates carry their catalog fields');
  t.end();
});

t.test('request filters: category prefix by level, price range, stock', (t) => {
  t.same(
    ids({ categoryPrefix: ['Beauty', 'Makeup'] }),
    ['ok', 'pre', 'dear'],
    'Makeover is not under Makeup',
  );
  t.same(ids({ categoryPrefix: ['Outdoor'] }), ['tent']);
  t.same(ids({ categoryPrefix: ['Nothing'] }), [], 'an unknown category matches nothing');
  t.same(ids({ priceMin: 50 }), ['dear']);
  t.same(ids({ priceMax: 10 }), ['ok', 'pre', 'tent', 'makeover']);
  t.same(ids({ priceMin: 10, priceMax: 10 }), ['ok', 'pre', 'tent', 'makeover'], 'bounds are inclusive');
  t.same(
    ids({ inStockOnly: true }),
    ['ok', 'dear', 'tent', 'makeover'],
    'preorders go when in stock is asked',
  );
  t.same(run({ priceMin: 50 }).dropped.price, 4, 'counted under the first filter that drops them');
  t.end();
});

t.test('category paths parse with or without spaces around the separator', (t) => {
  t.same(parseCategoryPath('Beauty > Makeup'), ['Beauty', 'Makeup']);
  t.same(parseCategoryPath('Beauty>Makeup>'), ['Beauty', 'Makeup']);
  t.end();
});
