import { createValidators } from '@recstream/schemas';
import t from 'tap';
import { generateCatalog, tokenize } from './catalog.generator.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const validators = createValidators();

t.test('every generated item satisfies the item contract', (t) => {
  const catalog = generateCatalog({ items: 2000, seed: 42, now });
  t.equal(catalog.items.length, 2000);
  const invalid = catalog.items
    .map((i) => ({ id: i.item.item_id, verdict: validators.validateItem(i.item) }))
    .filter((r) => !r.verdict.ok);
  t.same(invalid, [], 'no item fails validation');
  t.equal(new Set(catalog.items.map((i) => i.item.item_id)).size, 2000, 'item ids are unique');
  t.end();
});

t.test('the catalog is a function of the seed', (t) => {
  const a = generateCatalog({ items: 300, seed: 7, now });
  const b = generateCatalog({ items: 300, seed: 7, now });
  const c = generateCatalog({ items: 300, seed: 8, now });
  t.same(
    a.items.map((i) => i.item),
    b.items.map((i) => i.item),
  );
  t.notSame(
    a.items.map((i) => i.item.title),
    c.items.map((i) => i.item.title),
  );
  t.end();
});

t.test('a category tree of 8 top categories with subcategories, brands and plausible prices', (t) => {
  const catalog = generateCatalog({ items: 2000, seed: 42, now });
  const tops = new Set(catalog.items.map((i) => i.item.category_path[0]));
  t.equal(tops.size, 8);
  t.ok(catalog.items.every((i) => i.item.category_path.length === 2));
  const pathsPerTop = new Map<string, Set<string>>();
  for (const i of catalog.items) {
    const [top, sub] = i.item.category_path as [string, string];
    pathsPerTop.set(top, (pathsPerTop.get(top) ?? new Set()).add(sub));
  }
  t.ok(
    [...pathsPerTop.values()].every((subs) => subs.size >= 3),
    'each top category has several subcategories',
  );
  t.ok(new Set(catalog.items.map((i) => i.brand)).size >= 40, 'many brands');

  const median = (sub: string): number => {
    const prices = catalog.items
      .filter((i) => i.item.category_path[1] === sub)
      .map((i) => i.price)
      .sort((a, b) => a - b);
    return prices[Math.floor(prices.length / 2)] ?? 0;
  };
  t.ok(median('Laptops') > 10 * median('Snacks'), 'laptops cost much more than snacks');
  t.ok(catalog.items.every((i) => i.price > 0));

  const inStock =
    catalog.items.filter((i) => i.item.availability === 'in_stock').length / catalog.items.length;
  t.ok(inStock > 0.85 && inStock < 0.97, `mostly in stock (${inStock})`);
  t.ok(catalog.items.some((i) => i.item.availability === 'out_of_stock'));
  t.end();
});

t.test('titles and descriptions read like products', (t) => {
  const catalog = generateCatalog({ items: 50, seed: 1, now });
  for (const { item, brand, noun } of catalog.items) {
    t.ok(item.title.startsWith(brand), item.title);
    t.match(item.title.toLowerCase(), noun);
    t.match(item.description ?? '', new RegExp(`from ${brand} with`));
  }
  t.end();
});

t.test('popularity has a long tail', (t) => {
  const catalog = generateCatalog({ items: 2000, seed: 42, now });
  const sorted = catalog.items.map((i) => i.popularity).sort((a, b) => b - a);
  const total = sorted.reduce((s, x) => s + x, 0);
  const top5pct = sorted.slice(0, 100).reduce((s, x) => s + x, 0);
  t.ok(top5pct / total > 0.2, 'the top 5% of items hold over 20% of the interest');
  t.end();
});

t.test('search matches every query word, most popular first', (t) => {
  const catalog = generateCatalog({ items: 2000, seed: 42, now });
  const results = catalog.search('Running Shoes');
  t.ok(results.length > 0);
  t.ok(results.every((i) => i.tokens.includes('running') && i.tokens.includes('shoes')));
  t.ok(results.every((r, k) => k === 0 || (results[k - 1]?.popularity ?? 0) >= r.popularity));
  t.same(catalog.search('zzzz nothing'), []);
  t.same(tokenize("Children's books, 3D"), ['children', 's', 'books', '3d']);
  t.end();
});
