import t from 'tap';
import { PermanentError } from '@recstream/errors';
import type { InteractionDataset, UserSequence } from '@recstream/models';
import { MODEL_REGISTRY, modelFactory, resolveHyperparameters } from './model-registry.js';
import type { Protocol } from './protocols.js';
import { runBenchmark, type BenchmarkPhase } from './run-benchmark.js';
import { leaveOneOutSplit } from './splits.js';

/** 60 users walking a ring of 30 items: after item i comes i + 1, so the next item is predictable. */
function ring(): InteractionDataset {
  const sequences: UserSequence[] = Array.from({ length: 60 }, (_, user) => ({
    user,
    items: Int32Array.from({ length: 6 }, (_, step) => (user + step) % 30),
  }));
  return {
    name: 'ring',
    numUsers: 60,
    numItems: 30,
    itemIds: Array.from({ length: 30 }, (_, i) => `i${i}`),
    userIds: Array.from({ length: 60 }, (_, u) => `u${u}`),
    sequences,
  };
}

const PROTOCOL: Protocol = {
  name: 'ring-loo',
  dataset: 'ring',
  description: 'synthetic',
  load: () => Promise.resolve(ring()),
  split: (dataset) => leaveOneOutSplit(dataset),
  ks: [1, 5],
  publishedMetrics: ['HR@5'],
  published: [{ model: 'Oracle', values: { 'HR@5': 1 } }],
  publishedSource: 'none',
  hyperparameters: { itemknn: { recencyDecay: 0.1 }, bpr: { factors: 8, epochs: 5 } },
};

t.test('every model, every seed: per-seed runs, mean and std, timings, published rows', async (t) => {
  const phases: BenchmarkPhase[] = [];
  const report = await runBenchmark(PROTOCOL, ring(), {
    models: ['popularity', 'itemknn', 'bpr'],
    seeds: [1, 2],
    ks: [1, 5],
    target: 'test',
    overrides: { bpr: { epochs: 3 } },
    onPhase: (phase) => phases.push(phase),
  });
  t.equal(report.cases, 60);
  t.same(report.dataset, { name: 'ring', numUsers: 60, numItems: 30, interactions: 360 });
  t.same(
    report.models.map((m) => [m.model, m.runs.map((r) => r.seed)]),
    [
      ['popularity', [1, 2]],
      ['itemknn', [1, 2]],
      ['bpr', [1, 2]],
    ],
  );
  const [popularity, itemknn, bpr] = report.models;
  t.equal(popularity?.std['NDCG@5'], 0, 'popularity does not depend on the seed');
  // The ring's next item always followed the last one in training: the recency-weighted KNN finds it.
  t.equal(itemknn?.mean['HR@1'], 1);
  t.same(bpr?.hyperparameters, { factors: 8, epochs: 3 }, 'protocol values, then overrides');
  t.equal(bpr?.runs.length, 2);
  t.ok((bpr?.trainSeconds.mean ?? -1) >= 0);
  t.ok(phases.some((p) => p.model === 'bpr' && p.phase === 'train' && p.done === 3 && p.total === 3));
  t.ok(phases.some((p) => p.model === 'itemknn' && p.phase === 'evaluate' && p.done === 60));
  t.same(report.published.rows, PROTOCOL.published);
});

t.test('the validation set can be evaluated instead of test', async (t) => {
  const report = await runBenchmark(PROTOCOL, ring(), {
    models: ['itemknn'],
    seeds: [1],
    ks: [1],
    target: 'validation',
  });
  t.equal(report.target, 'validation');
  t.equal(report.models[0]?.mean['HR@1'], 1);
});

t.test('unknown models and hyperparameters fail before training', async (t) => {
  await t.rejects(
    runBenchmark(PROTOCOL, ring(), { models: ['gru4rec'], seeds: [1], ks: [1], target: 'test' }),
    {
      message: /unknown model 'gru4rec' \(known: popularity, itemknn, bpr, sasrec, sasrec-ranker\)/,
    },
  );
  await t.rejects(
    runBenchmark(PROTOCOL, ring(), {
      models: ['itemknn'],
      seeds: [1],
      ks: [1],
      target: 'test',
      overrides: { bpr: { epochs: 1 } },
    }),
    { message: /hyperparameters given for bpr, which is not evaluated/ },
  );
  t.throws(() => modelFactory('nope'), PermanentError);
  t.throws(() => resolveHyperparameters('bpr', { epochs: 1 }, { epoch: 2 }), {
    message: /bpr has no hyperparameter 'epoch' \(it has: epochs\)/,
  });
  t.throws(() => resolveHyperparameters('bpr', { epochs: 1 }, { epochs: 'many' }), {
    message: /bpr\.epochs must be a number/,
  });
  await t.rejects(
    MODEL_REGISTRY['itemknn']!({
      train: [],
      numItems: 3,
      dataset: ring(),
      seed: 1,
      hyperparameters: { similarity: 'dice' },
    }),
    { message: /cosine or jaccard/ },
  );
});
