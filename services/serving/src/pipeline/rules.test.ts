import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import { applyScoreRules, capPerBrand, combineRules, matches, placePins } from './rules.js';
import type { CatalogCandidate } from './types.js';

const item = (
  itemId: string,
  score: number,
  brand = 'Acme',
  categoryPath = ['Beauty', 'Lips'],
): CatalogCandidate => {
  const meta: ItemMeta = {
    itemId,
    title: itemId,
    category: categoryPath.join(' > '),
    categoryPath,
    brand,
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
  };
  return { itemId, score, source: 'popular', reason: { code: 'popular_now' }, meta };
};
const ids = (list: readonly CatalogCandidate[]) => list.map((c) => c.itemId);
const list = [item('a', 4), item('b', 3, 'Bloom'), item('c', 2, 'Bloom', ['Outdoor']), item('d', 1, '')];

t.test('boost scales and re-sorts; bury moves items after the rest', (t) => {
  const boosted = applyScoreRules(list, { boost: [{ match: { itemIds: ['d'] }, factor: 5 }] });
  t.same(ids(boosted.ranked), ['d', 'a', 'b', 'c']);
  t.equal(boosted.ranked[0]?.score, 5);
  const demoted = applyScoreRules(list, { boost: [{ match: { brands: ['Acme'] }, factor: 0.1 }] });
  t.same(ids(demoted.ranked), ['b', 'c', 'd', 'a']);
  const buried = applyScoreRules(list, { bury: [{ brands: ['Bloom'] }] });
  t.same(ids(buried.ranked), ['a', 'd']);
  t.same(ids(buried.buried), ['b', 'c'], 'buried keep their order');
  t.end();
});

t.test('matchers: every field given must match', (t) => {
  const c = item('c', 1, 'Bloom', ['Outdoor', 'Tents']);
  t.ok(matches({ categoryPrefix: ['Outdoor'] }, c));
  t.notOk(matches({ categoryPrefix: ['Outdoor', 'Stoves'] }, c));
  t.ok(matches({ categories: ['Outdoor > Tents'] }, c));
  t.notOk(matches({ categories: ['Outdoor'] }, c), 'categories are exact');
  t.notOk(matches({ brands: ['Bloom'], itemIds: ['x'] }, c));
  t.ok(matches({}, c), 'an empty matcher matches all');
  t.end();
});

t.test('per-brand cap keeps the best of each brand; brandless items are not capped', (t) => {
  const many = [
    item('a1', 9),
    item('a2', 8),
    item('b1', 7, 'Bloom'),
    item('a3', 6),
    item('x', 5, ''),
    item('y', 4, ''),
  ];
  t.same(ids(capPerBrand(many, 1)), ['a1', 'b1', 'x', 'y']);
  t.same(ids(capPerBrand(many, 2)), ['a1', 'a2', 'b1', 'x', 'y']);
  t.same(ids(capPerBrand(many, undefined)), ids(many));
  t.end();
});

t.test('pins go first in their order, without duplicates', (t) => {
  t.same(ids(placePins(list, [item('c', 0), item('z', 0)])), ['c', 'z', 'a', 'b', 'd']);
  t.end();
});

t.test("request rules add to the service's; the request's pins and cap win", (t) => {
  const combined = combineRules(
    { pin: ['s1', 'r2'], boost: [{ match: { brands: ['Acme'] }, factor: 2 }], brandCap: 3 },
    { pin: ['r1', 'r2'], bury: [{ itemIds: ['x'] }], brandCap: 1 },
  );
  t.same(combined.pin, ['r1', 'r2', 's1']);
  t.equal(combined.boost?.length, 1);
  t.same(combined.bury, [{ itemIds: ['x'] }]);
  t.equal(combined.brandCap, 1);
  t.equal(combineRules({ brandCap: 3 }, {}).brandCap, 3);
  t.end();
});
