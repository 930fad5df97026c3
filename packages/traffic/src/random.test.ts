import t from 'tap';
import { hashString, Rng, WeightedSampler } from './random.js';

t.test('the same seed gives the same numbers, another seed others', (t) => {
  const draw = (seed: number) =>
    Array.from(
      { length: 20 },
      (
        (rng) => () =>
          rng.next()
      )(new Rng(seed)),
    );
  t.same(draw(7), draw(7));
  t.notSame(draw(7), draw(8));
  t.ok(draw(7).every((x) => x >= 0 && x < 1));
  t.end();
});

t.test('forks are independent and reproducible', (t) => {
  const a1 = new Rng(1).fork('catalog').next();
  const a2 = new Rng(1).fork('catalog').next();
  const b = new Rng(1).fork('shoppers').next();
  t.equal(a1, a2);
  t.not(a1, b);
  t.not(hashString('catalog'), hashString('shoppers'));
  t.end();
});

t.test('int stays within bounds and reaches both ends', (t) => {
  const rng = new Rng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i += 1) seen.add(rng.int(2, 5));
  t.same([...seen].sort(), [2, 3, 4, 5]);
  t.end();
});

t.test('dirichlet draws are distributions; small alpha is peaked', (t) => {
  const rng = new Rng(11);
  const peaked = rng.dirichlet(8, 0.2);
  const flat = rng.dirichlet(8, 50);
  t.ok(Math.abs(peaked.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  t.ok(Math.abs(flat.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  t.ok(Math.max(...peaked) > Math.max(...flat), 'alpha 0.2 concentrates more mass than alpha 50');
  t.end();
});

t.test('log-normal has the requested median', (t) => {
  const rng = new Rng(5);
  const draws = Array.from({ length: 4001 }, () => rng.logNormal(100, 0.5)).sort((a, b) => a - b);
  const median = draws[2000] ?? 0;
  t.ok(median > 90 && median < 110, `median ${median}`);
  t.end();
});

t.test('weighted sampling follows the weights', (t) => {
  const rng = new Rng(9);
  const sampler = new WeightedSampler([1, 0, 3]);
  const counts = [0, 0, 0];
  for (let i = 0; i < 8000; i += 1) {
    const drawn = sampler.sample(rng);
    counts[drawn] = (counts[drawn] ?? 0) + 1;
  }
  t.equal(counts[1], 0, 'a zero weight is never drawn');
  const ratio = (counts[2] ?? 0) / (counts[0] ?? 1);
  t.ok(ratio > 2.6 && ratio < 3.4, `ratio ${ratio}`);
  t.throws(() => new WeightedSampler([0, 0]));
  t.end();
});
