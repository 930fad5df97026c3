import t from 'tap';
import { topK } from './item-index.js';

t.test('topK: the k best, best first, ties by lower index', (t) => {
  const scores = Float32Array.of(0.5, 2, -1, 2, 7, 0.5, 3);
  t.same(
    topK(scores, 4).map((n) => [n.index, n.score]),
    [
      [4, 7],
      [6, 3],
      [1, 2],
      [3, 2],
    ],
  );
  t.same(
    topK(scores, 3, (index) => index === 4 || index === 1).map((n) => n.index),
    [6, 3, 0],
    'skipped items never enter, the next best take their places',
  );
  t.end();
});

t.test('topK: against a full sort over random scores', (t) => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (const [n, k] of [
    [1000, 10],
    [1000, 1000],
    [50, 200],
    [5000, 100],
  ] as const) {
    const scores = Float32Array.from({ length: n }, random);
    const expected = [...scores.keys()]
      .filter((i) => i % 7 !== 0)
      .sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b)
      .slice(0, k);
    t.same(
      topK(scores, k, (i) => i % 7 === 0).map((x) => x.index),
      expected,
      `n=${n} k=${k}`,
    );
  }
  t.end();
});

t.test('topK: degenerate sizes and NaN scores', (t) => {
  t.same(topK(Float32Array.of(1, 2), 0), []);
  t.same(topK(new Float32Array(0), 5), []);
  t.same(topK(Float32Array.of(1, 2), -3), []);
  t.same(
    topK(Float32Array.of(Number.NaN, 1, Number.NaN, 0), 4).map((x) => x.index),
    [1, 3],
    'a NaN score is never a neighbour',
  );
  t.end();
});
