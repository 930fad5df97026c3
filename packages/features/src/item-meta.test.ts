import t from 'tap';
import { DESCRIPTION_KEPT_CHARS, parseStoredItemMeta, toItemMeta } from './item-meta.js';

const source = {
  item_id: 'a',
  title: 'Title a',
  category_path: ['Shop', 'Things'],
  brand: 'Acme',
  price: 10,
  currency: 'EUR',
  availability: 'in_stock' as const,
};

t.test('display fields from a catalog item', (t) => {
  const meta = toItemMeta(source);
  t.same(meta, {
    itemId: 'a',
    title: 'Title a',
    category: 'Shop > Things',
    categoryPath: ['Shop', 'Things'],
    brand: 'Acme',
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
  });
  t.notOk('description' in meta, 'no description, no field');
  t.notOk('description' in toItemMeta({ ...source, description: '' }), 'an empty one neither');
  t.end();
});

t.test('the opening of a description is kept, for search', (t) => {
  t.equal(toItemMeta({ ...source, description: 'Long lasting' }).description, 'Long lasting');
  const long = 'word '.repeat(1000);
  t.equal(toItemMeta({ ...source, description: long }).description, long.slice(0, DESCRIPTION_KEPT_CHARS));
  t.end();
});

t.test('stored display fields: read back as written, older forms tolerated, junk refused', (t) => {
  const meta = toItemMeta({ ...source, description: 'Long lasting', created_at: '2026-01-01T00:00:00Z' });
  t.same(parseStoredItemMeta(JSON.stringify(meta)), meta, 'what toItemMeta wrote');
  const older = parseStoredItemMeta(
    JSON.stringify({
      itemId: 'b',
      title: 'B',
      category: 'Beauty > Lips',
      price: 3,
      availability: 'in_stock',
    }),
  );
  t.same(older?.categoryPath, ['Beauty', 'Lips'], 'a path rebuilt from the category');
  t.equal(older?.brand, '');
  t.equal(
    parseStoredItemMeta(JSON.stringify({ ...meta, availability: 'sold_out' }))?.availability,
    'discontinued',
    'an unknown availability is never shown',
  );
  t.equal(parseStoredItemMeta('{not json'), undefined);
  t.equal(parseStoredItemMeta('"a string"'), undefined);
  t.equal(parseStoredItemMeta(JSON.stringify({ itemId: 'c' })), undefined, 'no title');
  t.end();
});
