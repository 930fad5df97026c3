import t from 'tap';
import { EVENT_TYPES } from '@recstream/schemas';
import {
  EVENT_WEIGHTS,
  POPULARITY_T0_MS,
  POPULARITY_TAU_MS,
  currentCount,
  logAddExp,
  logContribution,
} from './popularity.js';

const close = (actual: number, expected: number, relative = 1e-12) =>
  Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));

t.test('logAddExp equals the naive formula where that one is exact', (t) => {
  const pairs: [number, number][] = [
    [0, 0],
    [Math.log(2), Math.log(3)],
    [-3, 5],
    [1e-9, 2e-9],
    [-20, -20.5],
    [10, 10],
  ];
  for (const [a, b] of pairs) {
    const naive = Math.log(Math.exp(a) + Math.exp(b));
    t.ok(close(logAddExp(a, b), naive), `logAddExp(${a}, ${b}) = ${naive}`);
    t.equal(logAddExp(a, b), logAddExp(b, a), 'symmetric');
  }
  t.ok(close(logAddExp(Math.log(2), Math.log(3)), Math.log(5)), 'log 2 ⊕ log 3 = log 5');
  t.end();
});

t.test('logAddExp never overflows or underflows', (t) => {
  t.equal(Math.log(Math.exp(1000) + Math.exp(999)), Infinity, 'the naive formula overflows here…');
  t.ok(close(logAddExp(1000, 999), 1000 + Math.log1p(Math.exp(-1))), '…logAddExp does not');
  t.ok(close(logAddExp(1e6, 1e6), 1e6 + Math.LN2), 'two equal huge scores: +log 2');
  t.equal(logAddExp(1e6, 0), 1e6, 'a negligible addition leaves the score');
  t.equal(Math.log(Math.exp(-1000) + Math.exp(-1000)), -Infinity, 'the naive formula underflows here…');
  t.ok(close(logAddExp(-1000, -1000), -1000 + Math.LN2), '…logAddExp does not');
  t.equal(logAddExp(-Infinity, 3), 3, 'adding to an empty score (log 0)');
  t.end();
});

t.test('decay: an event one τ older counts 1/e', (t) => {
  const now = POPULARITY_T0_MS + 400 * POPULARITY_TAU_MS;
  t.ok(close(currentCount(logContribution(1, now), now), 1), 'a fresh view counts 1');
  t.ok(close(currentCount(logContribution(1, now - POPULARITY_TAU_MS), now), 1 / Math.E), 'one τ ago: 1/e');
  t.ok(
    close(currentCount(logContribution(1, now - 3 * POPULARITY_TAU_MS), now), Math.exp(-3)),
    'three τ ago: e^-3',
  );
  const halfLife = POPULARITY_TAU_MS * Math.LN2;
  t.ok(close(currentCount(logContribution(1, now - halfLife), now), 0.5, 1e-9), 'half-life τ·ln 2');
  t.ok(
    close(currentCount(logContribution(EVENT_WEIGHTS.purchase, now), now), 5),
    'a fresh purchase counts its weight',
  );
  t.ok(
    close(
      currentCount(logContribution(1, POPULARITY_T0_MS - 30 * POPULARITY_TAU_MS), POPULARITY_T0_MS),
      Math.exp(-30),
    ),
    'works before T0 too',
  );
  const stored = logAddExp(logContribution(1, now), logContribution(3, now - POPULARITY_TAU_MS));
  t.ok(close(currentCount(stored, now), 1 + 3 / Math.E), 'contributions add');
  t.ok(
    close(currentCount(stored, now + POPULARITY_TAU_MS), (1 + 3 / Math.E) / Math.E),
    'and decay together, with no rewrite',
  );
  t.end();
});

t.test('years after T0 the stored score stays finite', (t) => {
  const farFuture = POPULARITY_T0_MS + 20 * 365 * POPULARITY_TAU_MS;
  const score = logAddExp(logContribution(5, farFuture), logContribution(1, farFuture));
  t.ok(Number.isFinite(score), 'exp(7300) would overflow; its log does not');
  t.ok(close(currentCount(score, farFuture), 6, 1e-9));
  t.end();
});

t.test('ranking by stored score equals ranking by decayed count', (t) => {
  let state = 12345;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const now = POPULARITY_T0_MS + 200 * POPULARITY_TAU_MS;
  const weights = Object.values(EVENT_WEIGHTS).filter((w) => w > 0);
  const items = Array.from({ length: 60 }, (_, i) => `sku-${i}`);
  const stored = new Map<string, number>();
  const decayed = new Map<string, number>();
  for (let n = 0; n < 3000; n += 1) {
    const item = items[Math.floor(random() * items.length)] ?? 'sku-0';
    const weight = weights[Math.floor(random() * weights.length)] ?? 1;
    const time = now - random() * 30 * POPULARITY_TAU_MS;
    const contribution = logContribution(weight, time);
    const previous = stored.get(item);
    stored.set(item, previous === undefined ? contribution : logAddExp(previous, contribution));
    decayed.set(item, (decayed.get(item) ?? 0) + weight * Math.exp(-(now - time) / POPULARITY_TAU_MS));
  }
  const byStored = [...stored.entries()].sort((a, b) => b[1] - a[1]).map(([item]) => item);
  const byDecayed = [...decayed.entries()].sort((a, b) => b[1] - a[1]).map(([item]) => item);
  t.equal(byStored.length, items.length);
  t.same(byStored, byDecayed, 'same order');
  let worst = 0;
  for (const [item, score] of stored) {
    const expected = decayed.get(item) ?? 0;
    worst = Math.max(worst, Math.abs(currentCount(score, now) - expected) / expected);
  }
  t.ok(worst < 1e-9, `currentCount recovers the decayed count (worst relative error ${worst})`);
  t.end();
});

t.test(
  'event weights, in views: a click is one, an add to cart three, a purchase five; other types none',
  (t) => {
    t.same(Object.keys(EVENT_WEIGHTS).sort(), [...EVENT_TYPES].sort(), 'every event type has a weight');
    t.equal(EVENT_WEIGHTS.view, 1, 'a view is the unit');
    const inViews = Object.fromEntries(
      Object.entries(EVENT_WEIGHTS).map(([type, weight]) => [type, weight / EVENT_WEIGHTS.view]),
    );
    t.match(inViews, { click: 1, add_to_cart: 3, purchase: 5 }, 'stronger intent weighs more');
    for (const type of ['remove_from_cart', 'search', 'impression'] as const) {
      t.equal(EVENT_WEIGHTS[type], 0, `${type} says nothing about interest in an item`);
    }
    t.end();
  },
);
