import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { createRandom, loadTensorFlow } from '@recstream/models';
import type { RankingGroups } from './ranking-groups.js';
import { groupNdcg, rocAuc } from './ranking-metrics.js';
import { fitNormalisation, trainRanker } from './ranker-model.js';

const tf = loadTensorFlow();

/**
 * Lists of `size` candidates with 4 features: x0, x1 and x2 are noise-free signals, x3 is a
 * constant (it must not break the standardisation). The positive of each list is its row with the
 * highest x0 + 2·x1·x2, an interaction a linear model cannot represent fully.
 */
function syntheticGroups(groups: number, size: number, seed: number): RankingGroups {
  const random = createRandom(seed);
  const width = 4;
  const features = new Float32Array(groups * size * width);
  const labels = new Float32Array(groups * size);
  for (let group = 0; group < groups; group += 1) {
    let bestRow = 0;
    let bestValue = -Infinity;
    for (let row = 0; row < size; row += 1) {
      const base = (group * size + row) * width;
      const [x0, x1, x2] = [random.normal(), random.normal(), random.normal()];
      features.set([x0, x1, x2, 3], base);
      const value = x0 + 2 * x1 * x2;
      if (value > bestValue) {
        bestValue = value;
        bestRow = row;
      }
    }
    labels[group * size + bestRow] = 1;
  }
  return { size, width, features, labels };
}

t.test('rocAuc is the share of correctly ordered positive/negative pairs', (t) => {
  t.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  t.equal(rocAuc([1, 1, 1], [1, 0, 0]), 0.5, 'ties count half');
  t.equal(rocAuc([3, 2, 1], [1, 0, 0]), 1);
  t.ok(Number.isNaN(rocAuc([1, 2], [0, 0])), 'undefined without positives');
  t.end();
});

t.test('groupNdcg ranks within each group', (t) => {
  const groups: RankingGroups = {
    size: 3,
    width: 1,
    features: new Float32Array(6),
    labels: Float32Array.of(0, 1, 0, 0, 0, 0),
  };
  t.equal(
    groupNdcg(groups, Float32Array.of(0, 1, 0.5, 9, 9, 9), 10),
    1,
    'positive first; empty group skipped',
  );
  t.equal(groupNdcg(groups, Float32Array.of(2, 0, 1, 0, 0, 0), 10), 0.5, 'positive third: 1/log2(4)');
  t.equal(groupNdcg(groups, Float32Array.of(2, 0, 1, 0, 0, 0), 2), 0, 'outside the cut-off');
  t.end();
});

t.test('fitNormalisation standardises and leaves constant features at zero', (t) => {
  const { mean, std } = fitNormalisation({
    size: 2,
    width: 2,
    features: Float32Array.of(1, 5, 3, 5),
    labels: Float32Array.of(1, 0),
  });
  t.same([...mean], [2, 5]);
  t.same([...std], [1, 1], 'std 1 for x0, and 1 (not 0) for the constant');
  t.end();
});

for (const loss of ['softmax', 'sigmoid'] as const) {
  t.test(`the ranker learns a separable problem (${loss} loss)`, (t) => {
    const train = syntheticGroups(600, 8, 1);
    const test = syntheticGroups(200, 8, 2);
    const epochs: number[] = [];
    const model = trainRanker({
      tf,
      train,
      seed: 3,
      hyper: { loss, hidden: [16, 8], learningRate: 0.01, batchSize: 32, maxEpochs: 25, patience: 4 },
      onEpoch: ({ validationNdcg10 }) => epochs.push(validationNdcg10),
    });
    t.teardown(() => model.dispose());
    const scores = model.score(test.features);
    const auc = rocAuc(scores, test.labels);
    const ndcg = groupNdcg(test, scores, 10);
    // A random order gives AUC 0.5 and NDCG ≈ 0.52 with one positive in 8.
    t.ok(auc > 0.9, `held-out AUC ${auc.toFixed(3)} > 0.9`);
    t.ok(ndcg > 0.8, `held-out NDCG@10 ${ndcg.toFixed(3)} > 0.8`);
    t.ok(model.training.validation.ndcg10 >= Math.max(...epochs) - 1e-9, 'keeps the best epoch');
    t.equal(model.training.groupSize, 8);
    t.ok(model.training.epochs >= 1 && model.training.epochs <= 25);
    t.end();
  });
}

t.test('training with the same seed is reproducible', (t) => {
  const train = syntheticGroups(100, 4, 5);
  const hyper = { hidden: [8], maxEpochs: 3 };
  const a = trainRanker({ tf, train, seed: 9, hyper });
  const b = trainRanker({ tf, train, seed: 9, hyper });
  t.teardown(() => {
    a.dispose();
    b.dispose();
  });
  t.same(a.score(train.features), b.score(train.features));
  t.end();
});

t.test('bad training data and inputs fail by name', (t) => {
  const train = syntheticGroups(20, 4, 5);
  t.throws(
    () => trainRanker({ tf, train: { ...train, labels: new Float32Array(80) }, seed: 1 }),
    /no training group has a positive label/,
  );
  t.throws(
    () => trainRanker({ tf, train: { ...train, labels: train.labels.map((label) => label * 2) }, seed: 1 }),
    /not 0 or 1/,
  );
  t.throws(() => trainRanker({ tf, train, seed: 1, hyper: { hidden: [0] } }), PermanentError);
  const model = trainRanker({ tf, train, seed: 1, hyper: { maxEpochs: 1 } });
  t.throws(() => model.score(new Float32Array(5)), /not whole rows of 4/);
  t.throws(() => model.score(Float32Array.of(1, 2, Number.NaN, 4)), /NaN/);
  model.dispose();
  t.throws(() => model.score(new Float32Array(4)), /disposed/);
  t.end();
});
