import t from 'tap';
import { createRandom } from './random.js';

const draws = (seed: number, n: number) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.float());
};

t.test('the same seed gives the same stream, another seed another', (t) => {
  t.same(draws(7, 20), draws(7, 20));
  t.notSame(draws(7, 20), draws(8, 20));
  t.end();
});

t.test('floats are in [0, 1) and ints in [0, n) with every value reached', (t) => {
  const random = createRandom(1);
  const seen = new Set<number>();
  let outside = 0;
  for (let i = 0; i < 10_000; i += 1) {
    const float = random.float();
    if (!(float >= 0 && float < 1)) outside += 1;
    seen.add(random.int(7));
  }
  t.equal(outside, 0, 'no float outside [0, 1)');
  t.same([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
  t.throws(() => random.int(0), RangeError);
  t.throws(() => random.int(2.5), RangeError);
  t.throws(() => createRandom(Number.NaN), RangeError);
  t.end();
});

t.test('int is close to uniform', (t) => {
  const random = createRandom(3);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i += 1) counts[random.int(10)]! += 1;
  for (const count of counts) t.ok(Math.abs(count - 10_000) < 500, `count ${count} ≈ 10,000`);
  t.end();
});

t.test('normal draws have mean 0 and variance 1', (t) => {
  const random = createRandom(5);
  const values = Array.from({ length: 50_000 }, () => random.normal());
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  t.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  t.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  t.end();
});

t.test('shuffle permutes in place, reproducibly', (t) => {
  const a = createRandom(11).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  const b = createRandom(11).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  t.same(a, b);
  t.same(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
    'a permutation',
  );
  t.notSame(
    [...a],
    Array.from({ length: 50 }, (_, i) => i),
    'not the identity',
  );
  t.end();
});

t.test('forks are reproducible and independent of each other and of the parent', (t) => {
  const parent = createRandom(9);
  const first = parent.fork();
  const second = parent.fork();
  const take = (random: ReturnType<typeof createRandom>) => Array.from({ length: 10 }, () => random.float());
  const [p, f, s] = [take(parent), take(first), take(second)];
  t.notSame(f, s);
  t.notSame(p, f);
  const again = createRandom(9);
  t.same(take(again.fork()), f, 'the same seed forks the same way');
  t.end();
});
