import t from 'tap';
import { assignmentPoint, assignmentUnit, pickVariant } from './assignment.js';

const ids = (n: number, prefix = 'user-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

t.test('the same shopper gets the same point, every time and everywhere', (t) => {
  t.equal(assignmentPoint('exp', 'u-1'), assignmentPoint('exp', 'u-1'));
  // Pinned: a change to the hashing would silently reassign every running experiment.
  t.equal(assignmentPoint('exp', 'u-1'), 0.34774407988218314);
  t.not(assignmentPoint('exp', 'u-1'), assignmentPoint('exp', 'u-2'));
  t.not(assignmentPoint('exp-a', 'u-1'), assignmentPoint('exp-b', 'u-1'), 'the experiment salts the hash');
  // The separator keeps ('ab', 'c') and ('a', 'bc') apart.
  t.not(assignmentPoint('ab', 'c'), assignmentPoint('a', 'bc'));
  for (const id of ids(1000)) {
    const p = assignmentPoint('exp', id);
    if (!(p >= 0 && p < 1)) t.fail(`point ${p} of ${id} is outside [0, 1)`);
  }
  t.end();
});

t.test('points are uniform: a chi-square test over 20 buckets', (t) => {
  const n = 100_000;
  const buckets = new Array<number>(20).fill(0);
  for (const id of ids(n)) {
    const b = Math.floor(assignmentPoint('uniformity', id) * 20);
    buckets[b] = (buckets[b] ?? 0) + 1;
  }
  const expected = n / 20;
  const chi2 = buckets.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
  // 19 degrees of freedom: P(chi2 > 43.8) = 0.001. Deterministic input, so this either always passes or never.
  t.ok(chi2 < 43.8, `chi-square ${chi2.toFixed(1)} over 20 buckets`);
  t.end();
});

t.test('variant shares follow the weights', (t) => {
  const n = 60_000;
  const weights = [1, 1, 2];
  const counts = [0, 0, 0];
  for (const id of ids(n)) {
    const v = pickVariant(weights, assignmentPoint('shares', id));
    counts[v] = (counts[v] ?? 0) + 1;
  }
  const shares = counts.map((c) => c / n);
  // Standard error of a share near 0.25-0.5 at n = 60,000 is about 0.002: allow 4 of them.
  t.ok(Math.abs((shares[0] ?? 0) - 0.25) < 0.008, `first ${shares[0]}`);
  t.ok(Math.abs((shares[1] ?? 0) - 0.25) < 0.008, `second ${shares[1]}`);
  t.ok(Math.abs((shares[2] ?? 0) - 0.5) < 0.008, `third ${shares[2]}`);
  t.end();
});

t.test('two experiments assign independently', (t) => {
  // Who is in variant 0 of one experiment says nothing about the other: about half of each.
  const both = [0, 0];
  for (const id of ids(40_000)) {
    const first = pickVariant([1, 1], assignmentPoint('first', id));
    if (first !== 0) continue;
    const second = pickVariant([1, 1], assignmentPoint('second', id));
    both[second] = (both[second] ?? 0) + 1;
  }
  const share = (both[0] ?? 0) / ((both[0] ?? 0) + (both[1] ?? 0));
  t.ok(
    Math.abs(share - 0.5) < 0.02,
    `share of variant 0 in the second among variant 0 of the first: ${share}`,
  );
  t.end();
});

t.test('pickVariant places points on the cumulative weights', (t) => {
  t.equal(pickVariant([1, 3], 0), 0);
  t.equal(pickVariant([1, 3], 0.2499), 0);
  t.equal(pickVariant([1, 3], 0.25), 1);
  t.equal(pickVariant([1, 3], 0.999999), 1);
  t.equal(pickVariant([0.1, 0.2, 0.7], 0.9999999999999999), 2, 'rounding never falls off the end');
  t.end();
});

t.test('the unit is the user, else the device, else the session', (t) => {
  t.equal(assignmentUnit({ userId: 'u', anonymousId: 'a', sessionId: 's' }), 'u');
  t.equal(assignmentUnit({ anonymousId: 'a', sessionId: 's' }), 'a');
  t.equal(assignmentUnit({ sessionId: 's' }), 's');
  t.equal(assignmentUnit({ userId: '', sessionId: 's' }), 's');
  t.equal(assignmentUnit({}), undefined);
  t.end();
});
