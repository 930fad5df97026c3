import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { loadTensorFlow } from '../backend.js';
import { createRandom } from '../random.js';
import type { UserSequence } from '../recommender.js';
import { epochBatches, trainingSequences } from './batches.js';
import { resolveSequenceHyperParameters } from './hyper-parameters.js';
import { SequenceRecommender } from './sequence-model.js';
import { trainSequenceModel } from './train.js';

const tf = loadTensorFlow();
const small = resolveSequenceHyperParameters({
  maxLength: 8,
  hiddenDim: 16,
  blocks: 1,
  heads: 2,
  dropout: 0.1,
  negatives: 16,
  batchSize: 32,
});

/** Users walking a cycle: item i is always followed by item (i + step) mod numItems. */
function cycles(users: number, numItems: number, length: number, step = 1): UserSequence[] {
  const random = createRandom(3);
  return Array.from({ length: users }, (_, user) => {
    const start = random.int(numItems);
    return { user, items: Int32Array.from({ length }, (_, i) => (start + i * step) % numItems) };
  });
}

const catalog = {
  numItems: 40,
  numAttributes: 4,
  itemAttributes: Array.from({ length: 40 }, (_, item) => Int32Array.of(item % 4)),
};

t.test('it learns which item comes next and ranks it first', async (t) => {
  const train = cycles(300, 40, 10);
  const model = await trainSequenceModel({
    train,
    numItems: 40,
    dataset: catalog,
    seed: 5,
    hyper: { ...small, maxEpochs: 30, learningRate: 0.01 },
  });
  t.teardown(() => model.dispose());
  const histories = [
    Int32Array.of(3, 4, 5),
    Int32Array.of(38, 39),
    Int32Array.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
  ];
  const expected = [6, 0, 21];
  const scores = await model.scoreAll(histories.map((history, user) => ({ user, history })));
  histories.forEach((_, row) => {
    const rowScores = scores.subarray(row * 40, (row + 1) * 40);
    const best = rowScores.indexOf(Math.max(...rowScores));
    t.equal(best, expected[row], `history ${row} → item ${expected[row]}`);
  });
  t.equal(model.training.epochs, 30);
  t.ok(model.training.samplesPerSecond > 0);
});

t.test('scoreCandidates agrees with scoreAll', async (t) => {
  const model = SequenceRecommender.create(tf, small, catalog, 1);
  t.teardown(() => model.dispose());
  const history = Int32Array.of(1, 2, 3, 9);
  const all = await model.scoreAll([{ user: 0, history }]);
  const candidates = Int32Array.of(0, 39, 7, 7, 20);
  const some = model.scoreCandidates(history, candidates);
  candidates.forEach((item, i) => t.ok(Math.abs((some[i] ?? 0) - (all[item] ?? 0)) < 1e-4, `item ${item}`));
});

t.test('a history scores the same alone or batched with longer ones (padding is masked)', async (t) => {
  const model = SequenceRecommender.create(tf, small, catalog, 2);
  t.teardown(() => model.dispose());
  const short = Int32Array.of(5, 6);
  const alone = await model.scoreAll([{ user: 0, history: short }]);
  const batched = await model.scoreAll([
    { user: 1, history: Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) },
    { user: 0, history: short },
  ]);
  const second = batched.subarray(40, 80);
  let worst = 0;
  for (let i = 0; i < 40; i += 1) worst = Math.max(worst, Math.abs((alone[i] ?? 0) - (second[i] ?? 0)));
  t.ok(worst < 1e-4, `largest difference ${worst}`);
  // Only the most recent maxLength items count.
  const long = Int32Array.from({ length: 20 }, (_, i) => i);
  const [a, b] = [model.encode([long]), model.encode([long.subarray(12)])];
  t.same(
    Array.from(a).map((v) => v.toFixed(4)),
    Array.from(b).map((v) => v.toFixed(4)),
  );
});

t.test('training steps and scoring release every tensor they create', async (t) => {
  const baseline = tf.memory().numTensors;
  const model = SequenceRecommender.create(tf, small, catalog, 3);
  const random = createRandom(4);
  const batches = epochBatches(trainingSequences(cycles(64, 40, 9), 8), 32, () => random.float());
  const negatives = Int32Array.from({ length: 16 }, () => random.int(40));
  const step = (): number =>
    model.trainStep(batches[0] ?? batches[1]!, { negatives, nextSeed: () => random.int(1000) });
  step();
  const afterFirst = tf.memory().numTensors;
  for (let i = 0; i < 5; i += 1) step();
  t.equal(tf.memory().numTensors, afterFirst, 'steady across training steps');
  await model.scoreAll([{ user: 0, history: Int32Array.of(1, 2) }]);
  model.scoreCandidates(Int32Array.of(1), Int32Array.of(2, 3));
  model.trainStep(batches[1] ?? batches[0]!, { negatives, nextSeed: () => 1, logQ: () => -Math.log(40) });
  model.dispose();
  t.equal(tf.memory().numTensors, baseline, 'nothing left after dispose');
});

t.test('the same seed gives the same model', async (t) => {
  const train = cycles(64, 40, 6, 3);
  const hyper = { ...small, maxEpochs: 2 };
  const [a, b] = [
    await trainSequenceModel({ train, numItems: 40, dataset: catalog, seed: 9, hyper }),
    await trainSequenceModel({ train, numItems: 40, dataset: catalog, seed: 9, hyper }),
  ];
  t.teardown(() => {
    a.dispose();
    b.dispose();
  });
  const history = [{ user: 0, history: Int32Array.of(3, 6, 9) }];
  const [sa, sb] = [await a.scoreAll(history), await b.scoreAll(history)];
  let worst = 0;
  for (let i = 0; i < sa.length; i += 1) worst = Math.max(worst, Math.abs((sa[i] ?? 0) - (sb[i] ?? 0)));
  t.ok(worst < 1e-4, `largest difference ${worst}`);
});

t.test('early stopping keeps the best validated weights', async (t) => {
  const train = cycles(200, 40, 8);
  const validation = train.slice(0, 50).map(({ user, items }) => ({
    user,
    history: items,
    targets: Int32Array.of(((items[items.length - 1] ?? 0) + 1) % 40),
  }));
  const seen: number[] = [];
  const model = await trainSequenceModel({
    train,
    validation,
    numItems: 40,
    dataset: catalog,
    seed: 1,
    hyper: { ...small, maxEpochs: 40, evalEvery: 2, patience: 2, learningRate: 0.01 },
    onEvent: (progress) => {
      if (progress.kind === 'validation') seen.push(progress.ndcg10);
    },
  });
  t.teardown(() => model.dispose());
  t.ok(seen.length >= 1);
  t.equal(model.training.validation?.ndcg10, Math.max(...seen), 'the summary reports the best validation');
  t.ok((model.training.validation?.ndcg10 ?? 0) > 0.9, 'a learnable pattern is learnt');
  if (model.training.stoppedBy === 'patience') t.ok(model.training.bestEpoch < model.training.epochs);
});

t.test('an item with attributes but no own row is scored through its attributes', (t) => {
  const model = SequenceRecommender.create(tf, small, catalog, 6);
  t.teardown(() => model.dispose());
  const random = createRandom(1);
  const batches = epochBatches(trainingSequences(cycles(64, 40, 9), 8), 64, () => random.float());
  model.trainStep(batches[0]!, { negatives: Int32Array.of(1, 2, 3), nextSeed: () => 1 });
  const attributeVector = model.attributeTable.vector(7 % 4);
  model.itemTable.remove(7);
  const vectors = model.itemVectors();
  t.same(Array.from(vectors.subarray(7 * 16, 8 * 16)), Array.from(attributeVector ?? []));
  t.equal(model.itemTable.rowOf(7), undefined);
  t.end();
});

t.test('new items are admitted without retraining and ranked through their attributes', async (t) => {
  const model = await trainSequenceModel({
    train: cycles(300, 40, 10),
    numItems: 40,
    dataset: catalog,
    seed: 5,
    hyper: { ...small, maxEpochs: 5, learningRate: 0.01 },
  });
  t.teardown(() => model.dispose());
  const itemAttributes = [...catalog.itemAttributes, Int32Array.of(1), Int32Array.of(2)];
  model.addItems({ numItems: 42, numAttributes: 4, itemAttributes });
  t.equal(model.numItems, 42);
  t.ok(model.itemTable.has(41), 'the new items have rows');
  const scores = await model.scoreAll([{ user: 0, history: Int32Array.of(1, 2, 3) }]);
  t.equal(scores.length, 42, 'the new items are scored');
  t.ok(
    scores.subarray(40).every((score) => Number.isFinite(score)),
    'with finite scores',
  );
  // It trains on sequences that contain the new items straight away.
  const random = createRandom(2);
  const batch = epochBatches(
    trainingSequences([{ user: 0, items: Int32Array.of(39, 40, 41, 0) }], 8),
    8,
    () => random.float(),
  )[0]!;
  const before = model.itemTable.vector(41);
  t.ok(Number.isFinite(model.trainStep(batch, { negatives: Int32Array.of(5, 6), nextSeed: () => 3 })));
  t.notSame(model.itemTable.vector(41), before, 'the new item was updated');
  t.throws(() => model.addItems({ numItems: 10 }), { message: /can only grow/ });
});

t.test('bad input gets a clear error', async (t) => {
  const model = SequenceRecommender.create(tf, small, catalog, 7);
  t.teardown(() => model.dispose());
  await t.rejects(model.scoreAll([{ user: 0, history: Int32Array.of(40) }]), PermanentError);
  t.throws(() => model.scoreCandidates(Int32Array.of(1), Int32Array.of(-1)), { message: /outside 0..39/ });
  t.throws(() => resolveSequenceHyperParameters({ hiddenDim: 10, heads: 3 }), { message: /divisible/ });
  t.throws(() => resolveSequenceHyperParameters({ dropout: 1 }), { message: /dropout/ });
  await t.rejects(
    trainSequenceModel({ train: [{ user: 0, items: Int32Array.of(1) }], numItems: 40, seed: 1 }),
    {
      message: /two or more items/,
    },
  );
  await t.rejects(
    trainSequenceModel({ train: [{ user: 0, items: Int32Array.of(1, 99) }], numItems: 40, seed: 1 }),
    {
      message: /outside/,
    },
  );
});
