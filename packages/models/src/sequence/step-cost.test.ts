/**
 * The sequence model's training step must cost the same whatever the catalogue size: the same
 * batch (same items, same negatives) against a 10k-item and a 1M-item model. A step whose gradient
 * were dense over the item table would do 100x more work on the larger one.
 */
import t from 'tap';
import { loadTensorFlow } from '../backend.js';
import { createRandom } from '../random.js';
import { epochBatches, trainingSequences } from './batches.js';
import { resolveSequenceHyperParameters } from './hyper-parameters.js';
import { SequenceRecommender } from './sequence-model.js';

const tf = loadTensorFlow();
const hyper = resolveSequenceHyperParameters({
  maxLength: 20,
  hiddenDim: 32,
  blocks: 1,
  negatives: 128,
  batchSize: 64,
});

t.test('a training step costs the same with 10k and 1M items (same rows touched)', (t) => {
  const random = createRandom(11);
  // Batches over items 0..4999 only, so both models see identical work.
  const sequences = Array.from({ length: 64 }, (_, user) => ({
    user,
    items: Int32Array.from({ length: 12 }, () => random.int(5000)),
  }));
  const batch = epochBatches(trainingSequences(sequences, hyper.maxLength), 64, () => random.float())[0];
  if (batch === undefined) throw new Error('no batch');
  const negatives = Int32Array.from({ length: hyper.negatives }, () => random.int(5000));

  // Both models exist at once and their trials alternate, so a burst of load from elsewhere on the
  // machine hits both alike; the best trial of each is compared.
  const small = SequenceRecommender.create(tf, hyper, { numItems: 10_000 }, 1);
  const large = SequenceRecommender.create(tf, hyper, { numItems: 1_000_000 }, 1);
  t.teardown(() => {
    small.dispose();
    large.dispose();
  });
  const trial = (model: SequenceRecommender): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 4; i += 1) model.trainStep(batch, { negatives, nextSeed: () => 7 });
    return Number(process.hrtime.bigint() - start) / 1e6 / 4;
  };
  trial(small); // warm-up
  trial(large);
  let smallMs = Number.POSITIVE_INFINITY;
  let largeMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i += 1) {
    smallMs = Math.min(smallMs, trial(small));
    largeMs = Math.min(largeMs, trial(large));
  }
  t.comment(`best step: 10k items ${smallMs.toFixed(2)} ms, 1M items ${largeMs.toFixed(2)} ms`);
  t.ok(
    largeMs < smallMs * 2,
    `1M-item step (${largeMs.toFixed(2)} ms) within 2x of the 10k-item step (${smallMs.toFixed(2)} ms)`,
  );
  t.end();
});
