import t from 'tap';
import type { ItemMeta, SubjectFeatures } from '@recstream/features';
import { NewArrivals } from '../catalog/new-arrivals.js';
import { explorationPool, explorationPositions, explore } from './exploration.js';
import type { FilterSpec } from './filters.js';
import type { CatalogCandidate } from './types.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;

const meta = (
  itemId: string,
  categoryPath: string[],
  ageDays: number | undefined,
  availability: ItemMeta['availability'] = 'in_stock',
): ItemMeta => ({
  itemId,
  title: `Title ${itemId}`,
  category: categoryPath.join(' > '),
  categoryPath,
  brand: 'Acme',
  price: 10,
  currency: 'EUR',
  availability,
  ...(ageDays === undefined ? {} : { createdAtMs: NOW - ageDays * DAY }),
});
const chosen = (ids: string[]): CatalogCandidate[] =>
  ids.map((itemId, i) => ({
    itemId,
    score: 1 - i / 100,
    source: 'popular',
    reason: { code: 'popular_now' },
    meta: meta(itemId, ['Beauty'], 300),
  }));
const noFilter: FilterSpec = { excludeIds: new Set() };
const first = () => 0;

t.test('positions: spread evenly, never first, none in short answers', (t) => {
  t.same(explorationPositions(20, 1), [10]);
  t.same(explorationPositions(10, 2), [3, 6]);
  t.same(explorationPositions(4, 1), [2]);
  t.same(explorationPositions(3, 1), [], 'too short to explore');
  t.same(explorationPositions(20, 0), [], 'switched off');
  t.end();
});

t.test('new arrivals: within the window, newest first, per top-level category', (t) => {
  const arrivals = NewArrivals.build(
    [
      meta('old', ['Beauty'], 30),
      meta('undated', ['Beauty'], undefined),
      meta('b2', ['Beauty', 'Lips'], 2),
      meta('b1', ['Beauty'], 1),
      meta('o1', ['Outdoor'], 3),
    ],
    NOW,
    14 * DAY,
  );
  t.same(
    arrivals.newest().map((m) => m.itemId),
    ['b1', 'b2', 'o1'],
    'an old item and one without a date are not new',
  );
  t.same(
    arrivals.newest('Beauty').map((m) => m.itemId),
    ['b1', 'b2'],
  );
  t.same(arrivals.newest('Garden'), []);
  t.equal(arrivals.size, 3);
  t.end();
});

t.test('the pool: the filter category, then liked categories, then everything, once each', (t) => {
  const arrivals = NewArrivals.build(
    [meta('b1', ['Beauty'], 1), meta('o1', ['Outdoor'], 2), meta('g1', ['Garden'], 3)],
    NOW,
    14 * DAY,
  );
  const subject = {
    categoryAffinities: [{ name: 'Outdoor > Tents', score: 2 }],
  } as unknown as SubjectFeatures;
  t.same(
    explorationPool(arrivals, subject, noFilter).map((m) => m.itemId),
    ['o1', 'b1', 'g1'],
  );
  t.same(
    explorationPool(arrivals, subject, { excludeIds: new Set(), categoryPrefix: ['Garden'] }).map(
      (m) => m.itemId,
    ),
    ['g1', 'o1', 'b1'],
  );
  t.same(
    explorationPool(arrivals, undefined, noFilter).map((m) => m.itemId),
    ['b1', 'o1', 'g1'],
  );
  t.end();
});

t.test('a new item takes the slot; the answer keeps k items, best first', (t) => {
  const answer = explore(
    chosen(['a', 'b', 'c', 'd']),
    4,
    1,
    [meta('new', ['Beauty', 'Lips'], 1)],
    noFilter,
    first,
  );
  t.same(
    answer.map((c) => c.itemId),
    ['a', 'b', 'new', 'c'],
  );
  const slot = answer[2];
  t.equal(slot?.source, 'new_arrival');
  t.same(slot?.reason, { code: 'new_arrival', category: 'Beauty > Lips' });
  t.ok(
    answer.every((c, i) => i === 0 || (answer[i - 1]?.score ?? 0) >= c.score),
    'scores still read best first',
  );
  t.end();
});

t.test('never an item already shown, unavailable, excluded or outside the filters', (t) => {
  const pool = [
    meta('a', ['Beauty'], 1),
    meta('gone', ['Beauty'], 1, 'out_of_stock'),
    meta('no', ['Beauty'], 1),
    meta('tent', ['Outdoor'], 1),
    meta('ok', ['Beauty'], 1),
  ];
  const filter: FilterSpec = { excludeIds: new Set(['no']), categoryPrefix: ['Beauty'] };
  t.same(
    explore(chosen(['a', 'b', 'c', 'd']), 4, 1, pool, filter, first).map((c) => c.itemId),
    ['a', 'b', 'ok', 'c'],
  );
  t.same(
    explore(chosen(['a', 'b', 'c', 'd']), 4, 1, [pool[1] as ItemMeta], noFilter, first).map((c) => c.itemId),
    ['a', 'b', 'c', 'd'],
    'nothing eligible: the answer as it was',
  );
  t.end();
});

t.test('slots are drawn at random among the newest eligible; a short answer gets them at its end', (t) => {
  const pool = Array.from({ length: 30 }, (_, i) => meta(`n${i}`, ['Beauty'], 1));
  t.equal(explore(chosen(['a', 'b', 'c', 'd']), 4, 1, pool, noFilter, () => 0.99)[2]?.itemId, 'n19');
  const two = explore(chosen(['a', 'b']), 10, 2, pool, noFilter, first);
  t.same(
    two.map((c) => c.itemId),
    ['a', 'b', 'n0', 'n1'],
  );
  t.end();
});
