import t from 'tap';
import { categoryKeyName } from './category-top.reader.js';

t.test('category names as the writer keys them, up to CATEGORY_LEVELS_MAX levels', (t) => {
  t.equal(categoryKeyName('Beauty'), 'Beauty');
  t.equal(categoryKeyName('Beauty > Makeup > Lips'), 'Beauty > Makeup > Lips');
  t.equal(
    categoryKeyName('Beauty > Makeup > Lips > Matte'),
    'Beauty > Makeup > Lips',
    'deeper paths read their ancestor',
  );
  t.equal(categoryKeyName(['Beauty', 'Makeup']), 'Beauty > Makeup');
  t.equal(categoryKeyName([]), '');
  t.end();
});
