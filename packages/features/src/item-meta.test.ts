import t from 'tap';
import { DESCRIPTION_KEPT_CHARS, toItemMeta } from './item-meta.js';

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
