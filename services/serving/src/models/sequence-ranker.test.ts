import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import type { CatalogCandidate } from '../pipeline/types.js';
import { combineScores } from './sequence-ranker.js';

const meta = { title: 't', category: 'c', brand: 'b', price: 1, currency: 'EUR' } as unknown as ItemMeta;
const candidate = (itemId: string, score: number): CatalogCandidate => ({
  itemId,
  score,
  source: 'covisit_recent',
  reason: { code: 'popular_now' },
  meta,
});

t.test('combineScores: (1 − α)·blended/best + α·exp(logit − best logit)', (t) => {
  const candidates = [candidate('a', 2), candidate('b', 1), candidate('c', 0.5)];
  const ranked = combineScores(candidates, [0, Math.log(2) + 0, Math.log(0.5)], 0.5);
  // b: 0.5·0.5 + 0.5·1 = 0.75; a: 0.5·1 + 0.5·0.5 = 0.75; c: 0.5·0.25 + 0.5·0.25 = 0.25
  t.same(
    ranked.map((c) => [c.itemId, Number(c.score.toFixed(6))]),
    [
      ['a', 0.75],
      ['b', 0.75],
      ['c', 0.25],
    ],
  );
  t.same(
    combineScores(candidates, [0, 5, 1], 1).map((c) => c.itemId),
    ['b', 'c', 'a'],
    'α = 1: the model alone decides',
  );
  t.same(
    combineScores(candidates, [9, 0, 5], 0).map((c) => c.itemId),
    ['a', 'b', 'c'],
    'α = 0: the blended order',
  );
  t.end();
});

t.test('combineScores: an item the model does not know gets the mean opinion', (t) => {
  const candidates = [candidate('known-best', 1), candidate('new', 1), candidate('known-worst', 1)];
  const ranked = combineScores(candidates, [0, undefined, Math.log(0.2)], 1);
  t.same(
    ranked.map((c) => [c.itemId, Number(c.score.toFixed(6))]),
    [
      ['known-best', 1],
      ['new', 0.6],
      ['known-worst', 0.2],
    ],
  );
  t.same(
    combineScores(candidates, [undefined, undefined, undefined], 0.7).map((c) => c.score),
    [1, 1, 1],
    'no known item: the blended scores, unchanged',
  );
  t.end();
});
