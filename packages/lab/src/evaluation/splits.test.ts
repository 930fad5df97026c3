import t from 'tap';
import type { InteractionDataset, UserSequence } from '@recstream/models';
import { leaveOneOutSplit, stratifiedSplit } from './splits.js';

function dataset(sequences: UserSequence[], numItems: number): InteractionDataset {
  return {
    name: 'synthetic',
    numUsers: sequences.length,
    numItems,
    itemIds: Array.from({ length: numItems }, (_, i) => String(i)),
    userIds: sequences.map((s) => String(s.user)),
    sequences,
  };
}

const timed = (user: number, items: number[]): UserSequence => ({
  user,
  items: Int32Array.from(items),
  times: Float64Array.from(items, (_, index) => 1000 * (index + 1)),
});

t.test('leave-one-out: train = all but the last two, validation = 2nd-to-last, test = last', (t) => {
  const split = leaveOneOutSplit(
    dataset([timed(0, [5, 6, 7, 8]), timed(1, [1, 2]), timed(2, [3, 4, 9])], 10),
  );
  t.same(
    split.train.map((s) => ({ user: s.user, items: [...s.items], times: [...(s.times ?? [])] })),
    [
      { user: 0, items: [5, 6], times: [1000, 2000] },
      { user: 1, items: [1, 2], times: [1000, 2000] },
      { user: 2, items: [3], times: [1000] },
    ],
    'a user with fewer than 3 items stays whole in train',
  );
  t.same(
    split.validation.map((c) => ({ user: c.user, history: [...c.history], targets: [...c.targets] })),
    [
      { user: 0, history: [5, 6], targets: [7] },
      { user: 2, history: [3], targets: [4] },
    ],
  );
  t.same(
    split.test.map((c) => ({ user: c.user, history: [...c.history], targets: [...c.targets] })),
    [
      { user: 0, history: [5, 6, 7], targets: [8] },
      { user: 2, history: [3, 4], targets: [9] },
    ],
    'the test history includes the validation item',
  );
  t.end();
});

function randomDataset(users: number, numItems: number): InteractionDataset {
  const sequences: UserSequence[] = [];
  for (let user = 0; user < users; user += 1) {
    const length = 20 + ((user * 7) % 31);
    // Distinct items per user, in a user-specific order.
    const items = Array.from({ length }, (_, i) => (user * 13 + i * 17) % numItems);
    sequences.push(timed(user, items));
  }
  return dataset(sequences, numItems);
}

t.test('stratified: 75/25 per user (numpy rounding), no leakage, time order kept', (t) => {
  const data = randomDataset(40, 997);
  const split = stratifiedSplit(data, { trainRatio: 0.75, seed: 42 });
  t.equal(split.train.length, 40);
  t.equal(split.test.length, 40);
  let problems = 0;
  for (const [index, sequence] of data.sequences.entries()) {
    const train = split.train[index]!;
    const test = split.test[index]!;
    const n = sequence.items.length;
    const exact = 0.75 * n;
    const floor = Math.floor(exact);
    const expectedTrain = exact - floor === 0.5 ? floor + (floor % 2) : Math.round(exact);
    if (train.items.length !== expectedTrain) problems += 1;
    if (train.items.length + test.targets.length !== n) problems += 1;
    // Together they are the user's items; apart they share nothing.
    const all = [...train.items, ...test.targets].sort((a, b) => a - b);
    if (all.join() !== [...sequence.items].sort((a, b) => a - b).join()) problems += 1;
    if (test.targets.some((item) => train.items.includes(item))) problems += 1;
    if (test.history.join() !== train.items.join()) problems += 1;
    // Time order: the train times increase and match the items' original positions.
    const times = [...(train.times ?? [])];
    if (times.some((time, i) => i > 0 && time <= times[i - 1]!)) problems += 1;
    if (times.some((time, i) => sequence.items[time / 1000 - 1] !== train.items[i])) problems += 1;
  }
  t.equal(problems, 0, 'every user split right');
  t.end();
});

t.test('stratified: same seed same split, other seed other split', (t) => {
  const data = randomDataset(10, 101);
  const key = (seed: number) =>
    stratifiedSplit(data, { trainRatio: 0.75, seed })
      .test.map((c) => [...c.targets].join())
      .join('|');
  t.equal(key(1), key(1));
  t.not(key(1), key(2));
  t.end();
});

t.test('stratified: round half to even (n = 2 → 2×0.75 = 1.5 → 2, n = 6 → 4.5 → 4)', (t) => {
  const split = stratifiedSplit(dataset([timed(0, [1, 2]), timed(1, [1, 2, 3, 4, 5, 6])], 7), {
    trainRatio: 0.75,
    seed: 3,
  });
  t.same(
    split.train.map((s) => s.items.length),
    [2, 4],
  );
  t.same(
    split.test.map((c) => c.user),
    [1],
    'a user with nothing held out has no test case',
  );
  t.end();
});

t.test('stratified rejects a ratio outside (0, 1)', (t) => {
  const data = randomDataset(2, 50);
  t.throws(() => stratifiedSplit(data, { trainRatio: 1, seed: 1 }), {
    message: /trainRatio must be in \(0, 1\)/,
  });
  t.throws(() => stratifiedSplit(data, { trainRatio: 0, seed: 1 }));
  t.end();
});
