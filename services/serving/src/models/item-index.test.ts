import t from 'tap';
import { EXACT_MAX_ITEMS, ItemIndex, topK } from './item-index.js';

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

/** Clustered vectors, like trained item embeddings (random ones are the hardest case for a graph). */
function clusteredVectors(count: number, dim: number, seed: number): Float32Array {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const centres = Array.from({ length: 40 }, () =>
    Float32Array.from({ length: dim }, () => random() * 2 - 1),
  );
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i += 1) {
    const centre = centres[i % centres.length] ?? new Float32Array(dim);
    for (let d = 0; d < dim; d += 1) out[i * dim + d] = (centre[d] ?? 0) + (random() - 0.5) * 0.6;
  }
  return out;
}

t.test('ItemIndex: small catalogs are searched exactly', (t) => {
  const vectors = clusteredVectors(500, 8, 1);
  const index = ItemIndex.build(vectors, 8, { buildThreads: 1 });
  t.equal(index.approximate, false);
  const query = vectors.slice(0, 8);
  t.same(index.nearest(query, 10), index.exact(query, 10));
  t.equal(index.recallAt([query], 10), 1);
  t.end();
});

t.test('ItemIndex: large catalogs go through the graph, with high recall and exact scores', (t) => {
  const dim = 16;
  const count = EXACT_MAX_ITEMS + 2000;
  const vectors = clusteredVectors(count, dim, 2);
  const index = ItemIndex.build(vectors, dim, { buildThreads: 1 });
  t.equal(index.approximate, true);
  t.equal(index.size, count);
  const queries = Array.from({ length: 20 }, (_, q) => vectors.slice(q * 97 * dim, (q * 97 + 1) * dim));
  const recall = index.recallAt(queries, 20);
  t.ok(recall >= 0.9, `recall@20 ${recall}`);

  const query = queries[3] ?? new Float32Array(dim);
  const found = index.nearest(query, 20, (i) => i % 2 === 0, 40);
  t.equal(found.length, 20);
  t.ok(
    found.every((n) => n.index % 2 === 1),
    'skipped items never come back',
  );
  for (const n of found) {
    let expected = 0;
    for (let d = 0; d < dim; d += 1) expected += (query[d] ?? 0) * (vectors[n.index * dim + d] ?? 0);
    t.ok(Math.abs(n.score - expected) < 1e-4, `item ${n.index}: the exact inner product`);
  }
  t.ok(
    found.every((n, i) => i === 0 || (found[i - 1]?.score ?? Infinity) >= n.score),
    'best first',
  );
  t.same(index.nearest(query, 0), []);
  t.end();
});

t.test('ItemIndex: vectors that are not whole rows are refused', (t) => {
  t.throws(() => ItemIndex.build(new Float32Array(10), 4, { buildThreads: 1 }), RangeError);
  t.end();
});
