import t from 'tap';
import { AFFINITY_TAU_MS, POPULARITY_T0_MS, logAddExp, logContribution } from './popularity.js';
import {
  liveCart,
  mergeLog,
  mergeMax,
  parseSequenceMember,
  toAffinities,
  toSequence,
} from './subject-features.js';

const close = (actual: number | undefined, expected: number) =>
  actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));

t.test('parseSequenceMember splits <ms>:<type>:<item>, item ids may hold colons', (t) => {
  t.same(parseSequenceMember('1777636800000:view:sku-1'), {
    itemId: 'sku-1',
    type: 'view',
    timeMs: 1777636800000,
  });
  t.same(parseSequenceMember('5:add_to_cart:shop:sku:7'), {
    itemId: 'shop:sku:7',
    type: 'add_to_cart',
    timeMs: 5,
  });
  for (const bad of [
    '',
    'sku-1',
    '12:view',
    '12:view:',
    'x:view:sku',
    '-1:view:sku',
    '1.5:view:sku',
    '12:teleport:sku',
    ':view:sku',
  ])
    t.equal(parseSequenceMember(bad), undefined, `${JSON.stringify(bad)} is not a sequence member`);
  t.end();
});

t.test('toSequence keeps well-formed members, newest first', (t) => {
  const sequence = toSequence([
    { member: '100:view:a', score: 100 },
    { member: 'garbage', score: 150 },
    { member: '300:purchase:b', score: 300 },
    { member: '200:click:a', score: 200 },
  ]);
  t.same(
    sequence.map((e) => `${e.timeMs}:${e.type}:${e.itemId}`),
    ['300:purchase:b', '200:click:a', '100:view:a'],
  );
  t.end();
});

t.test('toAffinities decays log scores to now (τ 7 d) and ranks best first', (t) => {
  const now = POPULARITY_T0_MS + 30 * AFFINITY_TAU_MS;
  const affinities = toAffinities(
    [
      { member: 'Old', score: logContribution(5, now - AFFINITY_TAU_MS, AFFINITY_TAU_MS) },
      { member: 'Fresh', score: logContribution(3, now, AFFINITY_TAU_MS) },
      { member: 'Tiny', score: logContribution(1, now - 2 * AFFINITY_TAU_MS, AFFINITY_TAU_MS) },
    ],
    now,
    2,
  );
  t.same(
    affinities.map((a) => a.name),
    ['Fresh', 'Old'],
    '3 now beats 5 a week ago (5/e ≈ 1.84); the limit cuts the rest',
  );
  t.ok(close(affinities[0]?.score, 3), 'a fresh weight counts whole');
  t.ok(close(affinities[1]?.score, 5 / Math.E), 'one τ old: divided by e');
  t.end();
});

t.test('mergeMax: union with the later time per member, limited, highest first', (t) => {
  const merged = mergeMax(
    [
      { member: 'a', score: 10 },
      { member: 'b', score: 30 },
    ],
    [
      { member: 'a', score: 40 },
      { member: 'c', score: 20 },
    ],
    2,
  );
  t.same(merged, [
    { member: 'a', score: 40 },
    { member: 'b', score: 30 },
  ]);
  t.same(mergeMax([], [], 5), []);
  t.end();
});

t.test('mergeLog adds decayed counts of common members (log-sum-exp), like the login merge', (t) => {
  const merged = mergeLog(
    [
      { member: 'Lips', score: Math.log(2) },
      { member: 'Eyes', score: Math.log(3) },
    ],
    [{ member: 'Lips', score: Math.log(4) }],
    10,
  );
  t.equal(merged[0]?.member, 'Lips', '2 + 4 overtakes 3');
  t.ok(close(merged[0]?.score, Math.log(6)));
  t.ok(close(merged[0]?.score, logAddExp(Math.log(2), Math.log(4))));
  t.same(merged[1], { member: 'Eyes', score: Math.log(3) });
  t.end();
});

t.test('liveCart: in the cart when added after the last removal, whatever the order applied', (t) => {
  const cart = liveCart(
    [
      { member: 'kept', score: 100 },
      { member: 'removed', score: 100 },
      { member: 're-added', score: 300 },
      { member: 'bought-later', score: 50 },
      { member: 'newest', score: 400 },
    ],
    [
      { member: 'removed', score: 200 },
      { member: 're-added', score: 200 },
      { member: 'bought-later', score: 60 },
      { member: 'never-added', score: 10 },
    ],
    10,
  );
  t.same(cart, [
    { itemId: 'newest', timeMs: 400 },
    { itemId: 're-added', timeMs: 300 },
    { itemId: 'kept', timeMs: 100 },
  ]);
  t.same(
    liveCart([{ member: 'same-ms', score: 5 }], [{ member: 'same-ms', score: 5 }], 10),
    [],
    'a tie is not in the cart',
  );
  t.same(
    liveCart(
      [
        { member: 'a', score: 3 },
        { member: 'b', score: 2 },
        { member: 'c', score: 1 },
      ],
      [{ member: 'a', score: 9 }],
      1,
    ),
    [{ itemId: 'b', timeMs: 2 }],
    'the limit counts items still in the cart',
  );
  t.end();
});
