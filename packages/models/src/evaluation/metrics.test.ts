import t, { type Test } from 'tap';
import { idealDcg, intraListDiversity, jaccard, listMetrics, selfInformation } from './metrics.js';

const close = (t: Test, actual: number, expected: number, message: string) =>
  t.ok(Math.abs(actual - expected) < 1e-9, `${message}: ${actual} ≈ ${expected}`);

t.test('list metrics against hand-computed values', (t) => {
  const ranked = Int32Array.from([3, 1, 4, 5]);
  const relevant = new Set([1, 5, 9]);
  const isRelevant = (item: number) => relevant.has(item);

  // Top 3 = [3, 1, 4]: one hit, at rank 2. Ideal: 3 hits at ranks 1..3.
  const at3 = listMetrics(ranked, 3, 3, isRelevant);
  t.equal(at3.hits, 1);
  t.equal(at3.hitRate, 1);
  close(t, at3.recall, 1 / 3, 'recall@3');
  close(t, at3.precision, 1 / 3, 'precision@3');
  close(t, at3.ndcg, 1 / Math.log2(3) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4)), 'ndcg@3');

  // Top 4: hits at ranks 2 and 4; the ideal still has only 3 relevant items.
  const at4 = listMetrics(ranked, 4, 3, isRelevant);
  close(t, at4.precision, 0.5, 'precision@4');
  close(t, at4.ndcg, (1 / Math.log2(3) + 1 / Math.log2(5)) / 2.1309297535714578, 'ndcg@4');

  // A miss, and a list shorter than k (precision still divides by k).
  const miss = listMetrics(Int32Array.from([7]), 10, 1, isRelevant);
  t.same(miss, { hits: 0, hitRate: 0, recall: 0, precision: 0, ndcg: 0 });
  close(t, listMetrics(Int32Array.from([1]), 10, 1, isRelevant).precision, 0.1, 'precision of a short list');
  t.throws(() => listMetrics(ranked, 3, 0, isRelevant), RangeError);
  t.end();
});

t.test('ideal DCG is over min(relevant, k) ranks', (t) => {
  close(t, idealDcg(1, 10), 1, 'one relevant');
  close(t, idealDcg(5, 2), 1 + 1 / Math.log2(3), 'capped at k');
  t.end();
});

t.test('jaccard and intra-list diversity', (t) => {
  close(t, jaccard(Int32Array.from([1, 2, 3]), Int32Array.from([2, 3, 4])), 0.5, '{1,2,3} vs {2,3,4}');
  t.equal(jaccard(new Int32Array(), new Int32Array()), 0, 'two attribute-less items are unrelated');
  t.equal(jaccard(Int32Array.from([4]), Int32Array.from([4])), 1);
  const attributes = [Int32Array.from([1, 2]), Int32Array.from([2]), Int32Array.from([3])];
  // Pairs: (0,1) 1 − 1/2, (0,2) 1, (1,2) 1 → 2.5 / 3.
  close(t, intraListDiversity(Int32Array.from([0, 1, 2]), attributes), 2.5 / 3, 'ILD');
  t.ok(Number.isNaN(intraListDiversity(Int32Array.from([0]), attributes)), 'undefined for one item');
  t.end();
});

t.test('self-information uses the Laplace-smoothed interaction share', (t) => {
  const info = selfInformation(Float64Array.from([3, 0, 1]));
  // Σ = 4, 3 items → denominator 7.
  close(t, info[0]!, -Math.log2(4 / 7), 'popular');
  close(t, info[1]!, -Math.log2(1 / 7), 'never seen: finite, the most novel');
  close(t, info[2]!, -Math.log2(2 / 7), 'rare');
  t.throws(() => selfInformation(Float64Array.from([-1])), RangeError);
  t.end();
});
