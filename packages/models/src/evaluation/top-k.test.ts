import t from 'tap';
import { createRandom } from '../random.js';
import { rankOf, selectTopK } from './top-k.js';

/** The reference: sort everything (score desc, index asc), drop the masked. */
function fullSort(scores: Float32Array, masked: Uint8Array): number[] {
  return Array.from(scores.keys())
    .filter((item) => masked[item] === 0)
    .sort((a, b) => scores[b]! - scores[a]! || a - b);
}

t.test('selectTopK equals the head of a full sort, with ties and masks, and rankOf agrees', (t) => {
  const random = createRandom(17);
  let mismatches = 0;
  for (let trial = 0; trial < 200; trial += 1) {
    const n = 1 + random.int(300);
    // Few distinct values so ties are common.
    const scores = Float32Array.from({ length: n }, () => random.int(20) - 10);
    const masked = Uint8Array.from({ length: n }, () => (random.float() < 0.2 ? 1 : 0));
    const expected = fullSort(scores, masked);
    const k = 1 + random.int(30);
    if (selectTopK(scores, k, masked).join() !== expected.slice(0, k).join()) mismatches += 1;
    for (const [position, item] of expected.entries())
      if (rankOf(scores, item, masked) !== position + 1) mismatches += 1;
  }
  t.equal(mismatches, 0);
  t.end();
});

t.test('selectTopK: hand example, fewer unmasked items than k, infinities', (t) => {
  const scores = Float32Array.from([0.5, 2, -Infinity, 2, Infinity, 1]);
  t.same([...selectTopK(scores, 3)], [4, 1, 3], 'Infinity first; tie 2 = 2 goes to the lower index');
  t.same([...selectTopK(scores, 10, Uint8Array.from([0, 1, 0, 0, 1, 1]))], [3, 0, 2]);
  t.equal(rankOf(scores, 3), 3);
  t.equal(rankOf(scores, 2), 6);
  t.end();
});

t.test('NaN scores and bad k are errors', (t) => {
  t.throws(() => selectTopK(Float32Array.from([1, Number.NaN]), 1), { message: /item 1 is NaN/ });
  t.throws(() => rankOf(Float32Array.from([Number.NaN]), 0), { message: /item 0 is NaN/ });
  t.throws(() => selectTopK(Float32Array.from([1]), 0), RangeError);
  t.end();
});
