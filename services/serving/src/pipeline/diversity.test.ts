import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import { diversify, similarity } from './diversity.js';
import type { CatalogCandidate } from './types.js';

const meta = (categoryPath: string[], brand: string): ItemMeta => ({
  itemId: 'x',
  title: 'x',
  category: categoryPath.join(' > '),
  categoryPath,
  brand,
  price: 1,
  currency: 'EUR',
  availability: 'in_stock',
});
const item = (itemId: string, score: number, categoryPath: string[], brand = 'B'): CatalogCandidate => ({
  itemId,
  score,
  source: 'popular',
  reason: { code: 'popular_now' },
  meta: meta(categoryPath, brand),
});

const LIPS = ['Beauty', 'Makeup', 'Lips'];
const EYES = ['Beauty', 'Makeup', 'Eyes'];
const TENTS = ['Outdoor', 'Tents'];
// Four lipsticks outrank everything else.
const ranked = [
  item('lip1', 1.0, LIPS),
  item('lip2', 0.98, LIPS),
  item('lip3', 0.96, LIPS),
  item('lip4', 0.94, LIPS),
  item('eye1', 0.8, EYES, 'C'),
  item('tent1', 0.6, TENTS, 'D'),
];
const ids = (list: readonly CatalogCandidate[]) => list.map((c) => c.itemId);

t.test('similarity: shared category levels and brand', (t) => {
  t.equal(similarity(meta(LIPS, 'B'), meta(LIPS, 'B')), 1);
  t.equal(similarity(meta(LIPS, 'B'), meta(TENTS, 'C')), 0);
  t.equal(similarity(meta(LIPS, 'B'), meta(EYES, 'C')), 0.75 * (2 / 3));
  t.equal(similarity(meta(TENTS, 'B'), meta(['Garden'], 'B')), 0.25, 'same brand only');
  t.equal(similarity(meta([], ''), meta([], '')), 0, 'no category and no brand: nothing shared');
  t.end();
});

t.test('λ = 1 keeps the ranking; lower λ spreads categories', (t) => {
  t.same(ids(diversify(ranked, 4, 1)), ['lip1', 'lip2', 'lip3', 'lip4']);
  const spread = ids(diversify(ranked, 4, 0.5));
  t.equal(spread[0], 'lip1', 'the best item still leads');
  t.ok(spread.includes('eye1') && spread.includes('tent1'), `other categories come in: ${spread.join(',')}`);
  t.same(spread, ids(diversify(ranked, 4, 0.5)), 'deterministic');
  t.equal(diversify(ranked, 100, 0.5).length, ranked.length, 'never more than there is');
  t.same(diversify([], 3, 0.5), []);
  t.end();
});

t.test('an out-of-range λ is a programming error', (t) => {
  t.throws(() => diversify(ranked, 3, 1.5), RangeError);
  t.throws(() => diversify(ranked, 3, Number.NaN), RangeError);
  t.end();
});

/** Greedy MMR as written in the textbook: every pass scores every candidate against every pick. */
function referenceMmr(list: readonly CatalogCandidate[], k: number, lambda: number): CatalogCandidate[] {
  const max = Math.max(...list.map((c) => c.score));
  const relevance = list.map((c, i) => (max > 0 ? Math.max(c.score, 0) / max : 1 / (1 + i)));
  const chosen: number[] = [];
  while (chosen.length < Math.min(k, list.length)) {
    let best = -1;
    let bestValue = -Infinity;
    list.forEach((c, i) => {
      if (chosen.includes(i)) return;
      const penalty = Math.max(
        0,
        ...chosen.map((j) => similarity((list[j] as CatalogCandidate).meta, c.meta)),
      );
      const value = lambda * (relevance[i] as number) - (1 - lambda) * penalty;
      if (value > bestValue) [best, bestValue] = [i, value];
    });
    chosen.push(best);
  }
  return chosen.map((i) => list[i] as CatalogCandidate);
}

t.test('the pruned MMR picks exactly what the textbook greedy MMR picks', (t) => {
  let state = 7;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const paths = [LIPS, EYES, TENTS, ['Beauty', 'Skin'], ['Outdoor', 'Boots'], []];
  for (let trial = 0; trial < 200; trial += 1) {
    const n = 1 + Math.floor(random() * 60);
    // Scores in any order (rules may reorder), some equal, some zero or negative.
    const list = Array.from({ length: n }, (_, i) =>
      item(
        `i${i}`,
        Math.round((random() * 2 - 0.3) * 10) / 10,
        paths[Math.floor(random() * paths.length)] ?? [],
        ['B', 'C', 'D', ''][Math.floor(random() * 4)],
      ),
    );
    const k = 1 + Math.floor(random() * 25);
    const lambda = [0, 0.3, 0.5, 0.7, 0.95][trial % 5] ?? 0.5;
    const got = ids(diversify(list, k, lambda));
    const want = ids(referenceMmr(list, k, lambda));
    if (got.join() !== want.join()) {
      t.same(got, want, `trial ${trial}: n=${n} k=${k} λ=${lambda}`);
      break;
    }
  }
  t.pass('200 random lists agree');
  t.end();
});
