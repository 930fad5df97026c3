import t from 'tap';
import { createRandom, evaluate, loadTensorFlow, type InteractionDataset } from '@recstream/models';
import { leaveOneOutSplit } from '../evaluation/splits.js';
import { holdOutLastItems, trainTwoStage } from './two-stage.js';

const tf = loadTensorFlow();

/**
 * 300 shoppers walking a ring of 40 items: each sequence is a run of consecutive items from a
 * random start, so the next item is always the one after the last. Items carry their "aisle"
 * (item / 10) as an attribute.
 */
function ringDataset(): InteractionDataset {
  const random = createRandom(11);
  const numItems = 40;
  const sequences = Array.from({ length: 300 }, (_, user) => {
    const start = random.int(numItems);
    const length = 5 + random.int(6);
    return { user, items: Int32Array.from({ length }, (_, step) => (start + step) % numItems) };
  });
  return {
    name: 'ring',
    numUsers: sequences.length,
    numItems,
    itemIds: Array.from({ length: numItems }, (_, item) => String(item)),
    userIds: sequences.map(({ user }) => String(user)),
    sequences,
    itemAttributes: Array.from({ length: numItems }, (_, item) => Int32Array.of(Math.floor(item / 10))),
    numAttributes: 4,
  };
}

t.test(
  'two stages: candidates first, the ranker orders them, learned from validation items only',
  async (t) => {
    const dataset = ringDataset();
    const split = leaveOneOutSplit(dataset);
    const events: string[] = [];
    const model = await trainTwoStage({
      tf,
      train: split.train,
      validation: split.validation,
      numItems: dataset.numItems,
      dataset,
      seed: 3,
      sequence: { maxLength: 10, hiddenDim: 16, blocks: 1, negatives: 16, maxEpochs: 4, evalEvery: 2 },
      retrieval: { candidates: 12, covisitCandidates: 4, popularCandidates: 2 },
      ranker: { hidden: [16], learningRate: 0.01, maxEpochs: 20 },
      onEvent: (event) => events.push(event.kind),
    });
    t.teardown(() => model.dispose());
    t.equal(events[0], 'retrieval');
    t.ok(events.includes('ranker'));
    t.ok(
      model.training.validationRecall > 0.5,
      `retrieval recall on validation ${model.training.validationRecall}`,
    );

    const report = await evaluate(model, split.test, { ks: [1, 12] });
    const [at1, at12] = report.atK;
    // The next ring item is found by co-visitation of the last item; the ranker must put it first.
    t.ok((at1?.hitRate ?? 0) > 0.8, `HR@1 ${at1?.hitRate}`);

    // Every candidate outranks every other item, so HR@12 is retrieval's recall on test.
    const queries = split.test.slice(0, 5).map(({ user, history }) => ({ user, history }));
    const scores = await model.scoreAll(queries);
    const batch = await model.generator.generate(queries);
    for (const [index, list] of batch.lists.entries()) {
      const row = scores.subarray(index * dataset.numItems, (index + 1) * dataset.numItems);
      const candidates = new Set(list.items);
      t.equal(list.items.length, 12);
      t.ok(
        list.items.every((item) => !queries[index]?.history.includes(item)),
        'no known item among the candidates',
      );
      const lowestCandidate = Math.min(...Array.from(list.items, (item) => row[item] ?? 0));
      const best = Math.max(...Array.from(row).filter((_, item) => !candidates.has(item)));
      t.ok(lowestCandidate > best, 'candidates above the rest');
    }
    t.ok((at12?.hitRate ?? 0) >= (at1?.hitRate ?? 0));
  },
);

t.test('without validation cases the last training item of each sequence gives the labels', async (t) => {
  const { train, labels } = holdOutLastItems([
    { user: 0, items: Int32Array.of(1, 2, 3, 4) },
    { user: 1, items: Int32Array.of(5, 6) },
  ]);
  t.same(
    train.map(({ items }) => [...items]),
    [
      [1, 2, 3],
      [5, 6],
    ],
    'stage one never sees the held-out item; short sequences stay whole',
  );
  t.same(
    labels.map(({ user, history, targets }) => ({ user, history: [...history], targets: [...targets] })),
    [{ user: 0, history: [1, 2, 3], targets: [4] }],
  );

  const dataset = ringDataset();
  const split = leaveOneOutSplit(dataset);
  const model = await trainTwoStage({
    tf,
    train: split.train,
    validation: undefined,
    numItems: dataset.numItems,
    dataset,
    seed: 2,
    sequence: { maxLength: 10, hiddenDim: 16, blocks: 1, negatives: 16, maxEpochs: 2 },
    retrieval: { candidates: 12, covisitCandidates: 4, popularCandidates: 2 },
    ranker: { hidden: [16], learningRate: 0.01, maxEpochs: 10 },
  });
  t.teardown(() => model.dispose());
  const report = await evaluate(model, split.validation, { ks: [1] });
  t.ok((report.atK[0]?.hitRate ?? 0) > 0.8, `HR@1 on the validation items ${report.atK[0]?.hitRate}`);

  await t.rejects(
    trainTwoStage({
      tf,
      train: [{ user: 0, items: Int32Array.of(0, 1) }],
      validation: undefined,
      numItems: dataset.numItems,
      seed: 1,
    }),
    /no training sequence of 3 or more items/,
  );
  await t.rejects(
    trainTwoStage({
      tf,
      train: split.train,
      validation: split.validation,
      numItems: dataset.numItems,
      seed: 1,
      retrieval: { candidates: -1 },
    }),
    /candidates must be an integer/,
  );
});
