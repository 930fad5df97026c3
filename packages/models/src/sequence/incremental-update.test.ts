import t from 'tap';
import { loadTensorFlow } from '../backend.js';
import { resolveSequenceHyperParameters } from './hyper-parameters.js';
import { SequenceRecommender } from './sequence-model.js';
import { ItemIndex } from './item-index.js';
import { sequenceRows, updateSequenceModel } from './incremental-update.js';

const tf = loadTensorFlow();
const hyper = resolveSequenceHyperParameters({
  maxLength: 4,
  hiddenDim: 8,
  blocks: 1,
  heads: 1,
  negatives: 4,
  batchSize: 8,
  dropout: 0,
  learningRate: 0.01,
  useAttributes: false,
});

t.test('rows make every new position a target exactly once, old ones never', (t) => {
  const items = Int32Array.from([10, 11, 12, 13, 14, 15, 16, 17]);
  const rows = sequenceRows(items, 3, 4);
  const targets = rows.flatMap((row) => [...row.targets].filter((x) => x !== -1)).sort((a, b) => a - b);
  t.same(targets, [13, 14, 15, 16, 17], 'items after the 3 context items');
  t.ok(rows.every((row) => row.inputs.length <= 4 && row.inputs.length === row.targets.length));
  t.same(sequenceRows(Int32Array.of(5), 0, 4), [], 'a single first event has nothing to be predicted from');
  const replay = sequenceRows(Int32Array.of(1, 2, 3), 0, 4);
  t.same([...(replay[0]?.targets ?? [])], [2, 3], 'a replayed sequence is all targets');
  t.end();
});

t.test('an update admits new items and learns the new events', (t) => {
  const index = new ItemIndex(['a', 'b', 'c', 'd']);
  const model = SequenceRecommender.create(tf, hyper, { numItems: index.size }, 7);
  t.teardown(() => model.dispose());
  const score = (history: string[], item: string): number =>
    model.scoreCandidates(
      Int32Array.from(history, (id) => index.get(id) ?? -1),
      Int32Array.of(index.get(item) ?? -1),
    )[0] ?? 0;

  // Shoppers who viewed a then b now go on to a brand-new item x.
  const sequences = Array.from({ length: 16 }, () => ({ context: ['a', 'b'], learn: ['new-x'] }));
  const first = updateSequenceModel(model, index, sequences, [{ context: [], learn: ['c', 'd'] }], {
    epochs: 1,
    seed: 1,
  });
  t.equal(first.newItems, 1);
  t.equal(model.numItems, 5, 'the table grew');
  t.equal(index.get('new-x'), 4);
  t.equal(first.targets, 16, 'one target per new event');
  t.equal(first.replayTargets, 1);
  const before = score(['a', 'b'], 'new-x') - score(['a', 'b'], 'c');
  const second = updateSequenceModel(model, index, sequences, [], { epochs: 20, seed: 2 });
  t.equal(second.newItems, 0);
  t.equal(second.steps, 40, '16 rows in batches of 8, 20 epochs');
  const after = score(['a', 'b'], 'new-x') - score(['a', 'b'], 'c');
  t.ok(after > before, `x ranks higher after a, b than before (${before.toFixed(3)} → ${after.toFixed(3)})`);

  t.throws(
    () => updateSequenceModel(model, new ItemIndex(['a']), sequences, [], { epochs: 1, seed: 1 }),
    /the id map has 1 items, the model 5/,
  );
  t.throws(() => updateSequenceModel(model, index, sequences, [], { epochs: 0, seed: 1 }), /epochs/);
  t.end();
});
