import { existsSync } from 'node:fs';
import t from 'tap';
import { PermanentError } from '@recstream/errors';
import {
  assertNativeBackend,
  loadTensorFlow,
  nativeBindingPath,
  TENSORFLOW_SETUP_COMMAND,
} from './backend.js';

// Needs `bash infra/tensorflow.sh` (scripts/test.sh runs it); without it every test here fails
// with that command in the message, which is the point: the native backend is not optional.
const tf = loadTensorFlow();

/** A deterministic matrix of small integers, so float32 sums of 512 products stay exact. */
function integerMatrix(rows: number, cols: number, seed: number): Float32Array {
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i += 1) values[i] = ((i * seed + 11) % 7) - 3;
  return values;
}

t.test('the native tensorflow backend is the one in use', (t) => {
  t.equal(tf.getBackend(), 'tensorflow');
  t.ok(existsSync(nativeBindingPath()), `the addon exists at ${nativeBindingPath()}`);
  t.equal(assertNativeBackend(), tf, 'assertNativeBackend passes and returns tfjs-node');
  t.end();
});

t.test('assertNativeBackend rejects the pure-JS cpu backend, naming the setup command', async (t) => {
  t.ok(await tf.setBackend('cpu'));
  try {
    t.throws(() => assertNativeBackend(), PermanentError);
    t.throws(() => assertNativeBackend(), { message: new RegExp(`'cpu'.*${TENSORFLOW_SETUP_COMMAND}`) });
  } finally {
    t.ok(await tf.setBackend('tensorflow'), 'back on the native backend');
  }
});

t.test('matMul gives the right numbers', (t) => {
  const small = tf.tidy(() =>
    tf
      .matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([
          [5, 6],
          [7, 8],
        ]),
      )
      .arraySync(),
  );
  t.same(small, [
    [19, 22],
    [43, 50],
  ]);

  const n = 512;
  const a = integerMatrix(n, n, 5);
  const b = integerMatrix(n, n, 3);
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])).dataSync());
  t.equal(product.length, n * n);
  // Check every 37th row against a plain loop (integers: exact in float32).
  let mismatches = 0;
  for (let i = 0; i < n; i += 37) {
    for (let j = 0; j < n; j += 1) {
      let expected = 0;
      for (let k = 0; k < n; k += 1) expected += (a[i * n + k] ?? 0) * (b[k * n + j] ?? 0);
      if (product[i * n + j] !== expected) mismatches += 1;
    }
  }
  t.equal(mismatches, 0, '512x512 product matches the loop on sampled rows');
  t.end();
});

t.test('an embedding step: gather a batch from a 20k x 64 table and score it against 20k items', (t) => {
  const before = tf.memory().numTensors;
  const rows = 20_000;
  const dim = 64;
  const users = tf.randomNormal([rows, dim], 0, 1, 'float32', 7);
  const items = tf.randomNormal([rows, dim], 0, 1, 'float32', 8);
  const batch = [0, 1, 19_999, 12_345];
  const scores = tf.tidy(() => tf.matMul(tf.gather(users, tf.tensor1d(batch, 'int32')), items, false, true));
  t.same(scores.shape, [batch.length, rows]);

  // Score (user 19,999, item 42) by hand from the tables.
  const userValues = users.dataSync();
  const itemValues = items.dataSync();
  let expected = 0;
  for (let k = 0; k < dim; k += 1)
    expected += (userValues[19_999 * dim + k] ?? 0) * (itemValues[42 * dim + k] ?? 0);
  const score = scores.dataSync()[2 * rows + 42] ?? Number.NaN;
  t.ok(Math.abs(score - expected) < 1e-3, `score ${score} ≈ ${expected}`);

  tf.dispose([users, items, scores]);
  t.equal(tf.memory().numTensors, before, 'no tensor leaked');
  t.end();
});
