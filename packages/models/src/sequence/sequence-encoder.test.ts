import t from 'tap';
import { loadTensorFlow } from '../backend.js';
import { createRandom } from '../random.js';
import type { UserSequence } from '../recommender.js';
import { resolveSequenceHyperParameters, type SequenceHyperParameters } from './hyper-parameters.js';
import { SequenceEncoder, dot } from './sequence-encoder.js';
import { trainSequenceModel } from './train.js';

const tf = loadTensorFlow();
const NUM_ITEMS = 60;

function walks(users: number, length: number): UserSequence[] {
  const random = createRandom(7);
  return Array.from({ length: users }, (_, user) => {
    const start = random.int(NUM_ITEMS);
    return { user, items: Int32Array.from({ length }, (_, i) => (start + i * 3) % NUM_ITEMS) };
  });
}

/** A briefly trained model (weights far from their initial values) and its JS encoder. */
async function trained(hyper: Partial<SequenceHyperParameters>) {
  const model = await trainSequenceModel({
    train: walks(120, 14),
    numItems: NUM_ITEMS,
    dataset: {
      numAttributes: 5,
      itemAttributes: Array.from({ length: NUM_ITEMS }, (_, item) => Int32Array.of(item % 5)),
    },
    seed: 11,
    tf,
    hyper: resolveSequenceHyperParameters({ negatives: 16, batchSize: 32, maxEpochs: 3, ...hyper }),
  });
  const encoder = new SequenceEncoder(model.hyper, model.itemVectors(), model.denseValues());
  return { model, encoder };
}

const maxAbsDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - (b[i] ?? Number.NaN))), 0);

for (const shape of [
  { blocks: 2, heads: 1, hiddenDim: 16 },
  { blocks: 1, heads: 2, hiddenDim: 16 },
  { blocks: 3, heads: 4, hiddenDim: 16 },
  // Not a multiple of four: the layers' blocked loops leave columns over.
  { blocks: 2, heads: 2, hiddenDim: 6 },
]) {
  t.test(`the JS encoder computes what TensorFlow computes (${JSON.stringify(shape)})`, async (t) => {
    const { model, encoder } = await trained({ ...shape, maxLength: 10 });
    t.teardown(() => model.dispose());
    const random = createRandom(3);
    // One item, a few, exactly maxLength, and longer (only the newest maxLength count).
    for (const length of [1, 2, 5, 10, 17]) {
      const history = Int32Array.from({ length }, () => random.int(NUM_ITEMS));
      const expected = model.encode([history]);
      const actual = encoder.encode(history);
      t.ok(maxAbsDifference(expected, actual) < 1e-4, `length ${length}: within 1e-4`);
      const tfScores = await model.scoreAll([{ user: 0, history }]);
      t.ok(maxAbsDifference(tfScores, encoder.scoreAll(actual)) < 1e-3, `length ${length}: same item scores`);
    }
  });
}

t.test('bad histories are refused, not encoded into garbage', async (t) => {
  const { model, encoder } = await trained({ maxLength: 6, hiddenDim: 8, blocks: 1, heads: 1 });
  t.teardown(() => model.dispose());
  t.throws(() => encoder.encode(new Int32Array(0)), RangeError);
  t.throws(() => encoder.encode(Int32Array.of(1, NUM_ITEMS)), /outside/);
  t.throws(() => encoder.encode(Int32Array.of(-1)), /outside/);
});

t.test('weights of another shape are refused when the encoder is built', async (t) => {
  const { model } = await trained({ maxLength: 6, hiddenDim: 8, blocks: 1, heads: 1 });
  t.teardown(() => model.dispose());
  const dense = model.denseValues();
  dense.set('block0/query/kernel', new Float32Array(3));
  t.throws(() => new SequenceEncoder(model.hyper, model.itemVectors(), dense), /has 3 values, expected 64/);
  dense.delete('block0/query/kernel');
  t.throws(() => new SequenceEncoder(model.hyper, model.itemVectors(), dense), /is missing/);
});

t.test('dot: any length, with offsets', (t) => {
  const a = Float32Array.of(9, 1, 2, 3, 4, 5);
  const b = Float32Array.of(1, 1, 1, 1, 1, 2, 0);
  t.equal(dot(a, 1, b, 0, 5), 1 + 2 + 3 + 4 + 5);
  t.equal(dot(a, 1, b, 1, 5), 1 + 2 + 3 + 4 + 10);
  t.equal(dot(a, 0, b, 0, 0), 0);
  t.end();
});
