import t from 'tap';
import { PermanentError } from '@recstream/errors';
import type { Recommender, ScoreQuery } from '../recommender.js';
import { evaluate, type EvalCase } from './evaluate.js';

/** Returns fixed score rows per user, recording the batches it was asked for. */
function fixedScores(rows: Record<number, number[]>, numItems: number) {
  const batches: number[] = [];
  const recommender: Recommender = {
    name: 'fixed',
    numItems,
    scoreAll(queries: readonly ScoreQuery[]) {
      batches.push(queries.length);
      return Promise.resolve(Float32Array.from(queries.flatMap((q) => rows[q.user] ?? [])));
    },
  };
  return { recommender, batches };
}

const ROWS = { 0: [0.9, 0.8, 0.7, 0.6, 0.5], 1: [0.1, 0.2, 0.3, 0.4, 0.5] };
const CASES: EvalCase[] = [
  // Ranking after masking item 0: 1, 2, 3, 4 → the target is 2nd.
  { user: 0, history: Int32Array.from([0]), targets: Int32Array.from([2]) },
  // Ranking after masking item 4: 3, 2, 1, 0 → targets at 1st and 4th.
  { user: 1, history: Int32Array.from([4]), targets: Int32Array.from([0, 3, 3]) },
];
const close = (a: number | undefined, b: number) => Math.abs((a ?? Number.NaN) - b) < 1e-9;

t.test('metrics of a hand-computed example, in any batch size', async (t) => {
  for (const batchSize of [1, 2, 256]) {
    const { recommender, batches } = fixedScores(ROWS, 5);
    const report = await evaluate(recommender, CASES, {
      ks: [2, 1],
      batchSize,
      itemPopularity: Float64Array.from([1, 1, 1, 1, 1]),
      itemAttributes: [
        Int32Array.from([]),
        Int32Array.from([0]),
        Int32Array.from([1, 0]),
        Int32Array.from([1]),
        Int32Array.from([]),
      ],
    });
    t.equal(batches.length, Math.ceil(2 / batchSize), `batch size ${batchSize}`);
    t.equal(report.cases, 2);
    t.ok(close(report.mrr, (1 / 2 + 1) / 2), `MRR ${report.mrr}`);
    const [at1, at2] = report.atK;
    t.equal(at1?.k, 1, 'ks come back sorted');
    // k = 1: user 0 misses; user 1 hits item 3 (1 of 2 distinct targets; ideal DCG over 1 rank).
    t.ok(
      close(at1?.hitRate, 0.5) &&
        close(at1?.recall, 0.25) &&
        close(at1?.precision, 0.5) &&
        close(at1?.ndcg, 0.5),
    );
    t.ok(close(at1?.coverage, 2 / 5), 'items 1 and 3 recommended');
    t.equal(at1?.diversity, undefined, 'no pairs in a one-item list');
    // k = 2: user 0 hits at rank 2; user 1 hits at rank 1 only.
    const ndcg0 = 1 / Math.log2(3);
    const ndcg1 = 1 / (1 + 1 / Math.log2(3));
    t.ok(
      close(at2?.hitRate, 1) && close(at2?.recall, 0.75) && close(at2?.precision, 0.5),
      'HR, recall, precision @2',
    );
    t.ok(close(at2?.ndcg, (ndcg0 + ndcg1) / 2), `NDCG@2 ${at2?.ndcg}`);
    t.ok(close(at2?.coverage, 3 / 5));
    // Lists [1, 2] and [3, 2]: Jaccard({0}, {0, 1}) = Jaccard({1}, {0, 1}) = 1/2.
    t.ok(close(at2?.diversity, 0.5), `ILD@2 ${at2?.diversity}`);
    t.ok(
      close(at2?.novelty, Math.log2(10 / 2)),
      'uniform popularity: every item has the same self-information',
    );
  }
});

t.test('a target the history also holds is masked: a miss, reciprocal rank 0', async (t) => {
  const { recommender } = fixedScores(ROWS, 5);
  const report = await evaluate(
    recommender,
    [{ user: 0, history: Int32Array.from([0]), targets: Int32Array.from([0]) }],
    { ks: [5] },
  );
  t.equal(report.mrr, 0);
  t.equal(report.atK[0]?.hitRate, 0);
  t.equal(report.atK[0]?.novelty, undefined, 'no novelty without popularity');
});

t.test('bad inputs and bad recommenders fail clearly', async (t) => {
  const { recommender } = fixedScores(ROWS, 5);
  await t.rejects(evaluate(recommender, CASES, { ks: [] }), PermanentError);
  await t.rejects(evaluate(recommender, CASES, { ks: [0] }), { message: /ks must be positive/ });
  await t.rejects(evaluate(recommender, [], { ks: [1] }), { message: /no cases/ });
  await t.rejects(evaluate(recommender, CASES, { ks: [1], batchSize: 0 }), { message: /batchSize/ });
  await t.rejects(
    evaluate(recommender, [{ user: 0, history: new Int32Array(), targets: Int32Array.from([5]) }], {
      ks: [1],
    }),
    { message: /user 0: target item 5 is outside 0\.\.4/ },
  );
  await t.rejects(
    evaluate(recommender, [{ user: 0, history: new Int32Array(), targets: new Int32Array() }], { ks: [1] }),
    { message: /no targets/ },
  );
  await t.rejects(evaluate(recommender, CASES, { ks: [1], itemPopularity: new Float64Array(3) }), {
    message: /itemPopularity has 3 entries for 5 items/,
  });
  const short = fixedScores({ 0: [1, 2] }, 5).recommender;
  await t.rejects(evaluate(short, CASES.slice(0, 1), { ks: [1] }), {
    message: /returned 2 scores for 1 queries × 5 items/,
  });
  const nan = fixedScores({ 0: [1, Number.NaN, 0, 0, 0] }, 5).recommender;
  await t.rejects(evaluate(nan, CASES.slice(0, 1), { ks: [1] }), { message: /NaN/ });
});

t.test('progress is reported per batch up to the total', async (t) => {
  const { recommender } = fixedScores(ROWS, 5);
  const seen: string[] = [];
  await evaluate(recommender, CASES, {
    ks: [1],
    batchSize: 1,
    onProgress: (done, total) => seen.push(`${done}/${total}`),
  });
  t.same(seen, ['0/2', '1/2', '2/2']);
});
