import t from 'tap';
import { trainItemKnn } from './item-knn.js';

// u0 {0,1}, u1 {0,1,2}, u2 {2,3}; item 4 once, by u3; item 5 never.
// Users per item: c0 = 2, c1 = 2, c2 = 2, c3 = 1, c4 = 1. Co-occurrence: C01 = 2, C02 = C12 = C23 = 1.
const TRAIN = [
  { user: 0, items: Int32Array.from([0, 1, 0]) },
  { user: 1, items: Int32Array.from([0, 1, 2]) },
  { user: 2, items: Int32Array.from([2, 3]) },
  { user: 3, items: Int32Array.from([4]) },
];

function neighbours(model: ReturnType<typeof trainItemKnn>, item: number): Record<number, number> {
  const { offsets, items, weights } = model.graph;
  const out: Record<number, number> = {};
  for (let edge = offsets[item]!; edge < offsets[item + 1]!; edge += 1)
    out[items[edge]!] = Number(weights[edge]!.toFixed(6));
  return out;
}

t.test('cosine and jaccard similarities on user co-occurrence', (t) => {
  const cosine = trainItemKnn(
    TRAIN,
    6,
    { seed: 1 },
    { similarity: 'cosine', neighbours: 10, recencyDecay: 1 },
  );
  t.same(neighbours(cosine, 0), { 1: 1, 2: 0.5 });
  t.same(neighbours(cosine, 2), { 0: 0.5, 1: 0.5, 3: Number((1 / Math.SQRT2).toFixed(6)) });
  t.same(neighbours(cosine, 5), {}, 'an item nobody saw has no neighbours');
  const jaccard = trainItemKnn(
    TRAIN,
    6,
    { seed: 1 },
    { similarity: 'jaccard', neighbours: 10, recencyDecay: 1 },
  );
  t.same(neighbours(jaccard, 0), { 1: 1, 2: Number((1 / 3).toFixed(6)) });
  t.same(neighbours(jaccard, 3), { 2: 0.5 });
  t.end();
});

t.test('only the top-N neighbours are kept, ties to the lower index', (t) => {
  const model = trainItemKnn(TRAIN, 6, { seed: 1 }, { similarity: 'cosine', neighbours: 2, recencyDecay: 1 });
  t.same(neighbours(model, 2), { 0: 0.5, 3: Number((1 / Math.SQRT2).toFixed(6)) });
  t.end();
});

t.test('a user scores the sum of their items’ similarities, recent items weighted more', async (t) => {
  const model = trainItemKnn(
    TRAIN,
    6,
    { seed: 1 },
    { similarity: 'cosine', neighbours: 10, recencyDecay: 0.5 },
  );
  // History [3, 0]: item 0 is the latest (weight 1), item 3 one step back (weight 0.5).
  const [scores] = [await model.scoreAll([{ user: 7, history: Int32Array.from([3, 0]) }])];
  t.ok(Math.abs(scores[1]! - 1) < 1e-6, `item 1: cos(0,1) = ${scores[1]}`);
  t.ok(
    Math.abs(scores[2]! - (0.5 + 0.5 / Math.SQRT2)) < 1e-6,
    `item 2: cos(0,2) + ½ cos(3,2) = ${scores[2]}`,
  );
  // No evidence for items 4 and 5: popularity orders them (item 4 was seen once), far below any similarity.
  t.ok(scores[4]! > scores[5]!, 'popularity breaks the tie');
  t.ok(scores[4]! < 1e-8, 'and stays below real evidence');
});

t.test('bad options are refused', (t) => {
  t.throws(
    () => trainItemKnn(TRAIN, 6, { seed: 1 }, { similarity: 'cosine', neighbours: 0, recencyDecay: 1 }),
    {
      message: /neighbours must be a positive integer/,
    },
  );
  t.throws(
    () => trainItemKnn(TRAIN, 6, { seed: 1 }, { similarity: 'cosine', neighbours: 5, recencyDecay: 0 }),
    {
      message: /recencyDecay must be in \(0, 1\]/,
    },
  );
  t.end();
});
