import t from 'tap';
import { createRandom } from '@recstream/models';
import { trainBpr } from './bpr.js';

/**
 * Two taste groups: users 0..49 like items 0..9, users 50..99 items 10..19; each user saw 3 random
 * items of their group. The unseen items of a user's own group are negatives for that user too,
 * so only the collaborative signal can put them above the other group's items.
 */
function clusters() {
  const random = createRandom(5);
  const train = Array.from({ length: 100 }, (_, user) => {
    const group = user < 50 ? 0 : 10;
    const items = random.shuffle(Int32Array.from({ length: 10 }, (_, i) => group + i)).slice(0, 3);
    return { user, items };
  });
  return { train, numItems: 20 };
}

// Few epochs and some L2: on 3 items per user, long training memorises each user's own 3 items
// and pushes the rest of the group down with the other group.
const OPTIONS = { factors: 8, learningRate: 0.05, regularization: 0.01, epochs: 50 };

t.test('learns the groups: unseen items of the own group rank above the other group', async (t) => {
  const { train, numItems } = clusters();
  for (const seed of [1, 2, 3]) {
    const model = trainBpr(train, numItems, { seed }, OPTIONS);
    const scores = await model.scoreAll(train.map(({ user, items }) => ({ user, history: items })));
    let wrong = 0;
    for (const { user, items } of train) {
      const row = scores.subarray(user * numItems, (user + 1) * numItems);
      const own = user < 50 ? 0 : 10;
      const seen = new Set(items);
      const unseenOwn = Array.from({ length: 10 }, (_, i) => own + i).filter((item) => !seen.has(item));
      const worstOwn = Math.min(...unseenOwn.map((item) => row[item]!));
      const bestOther = Math.max(...Array.from({ length: 10 }, (_, i) => row[10 - own + i]!));
      if (!(worstOwn > bestOther)) wrong += 1;
    }
    t.ok(wrong <= 2, `seed ${seed}: ${wrong} of 100 users with an other-group item above an own-group one`);
  }
});

t.test('fixed seed, fixed model; another seed, another model', (t) => {
  const { train, numItems } = clusters();
  const options = { ...OPTIONS, epochs: 5 };
  const a = trainBpr(train, numItems, { seed: 3 }, options).model;
  const b = trainBpr(train, numItems, { seed: 3 }, options).model;
  const c = trainBpr(train, numItems, { seed: 4 }, options).model;
  t.same(a.itemFactors, b.itemFactors);
  t.same(a.userFactors, b.userFactors);
  t.notSame(a.itemFactors, c.itemFactors);
  t.end();
});

t.test('scoring in groups of four equals a plain dot product; unknown users get the biases', async (t) => {
  const { train, numItems } = clusters();
  const model = trainBpr(train, numItems, { seed: 2 }, { ...OPTIONS, epochs: 10 });
  const { userFactors, itemFactors, itemBias, factors } = model.model;
  const users = [5, 0, 99, 7, 12, 140, 5];
  const scores = await model.scoreAll(users.map((user) => ({ user, history: new Int32Array() })));
  let mismatches = 0;
  for (const [row, user] of users.entries())
    for (let item = 0; item < numItems; item += 1) {
      let expected = itemBias[item]!;
      if (user < 100)
        for (let f = 0; f < factors; f += 1)
          expected += userFactors[user * factors + f]! * itemFactors[item * factors + f]!;
      if (Math.abs(scores[row * numItems + item]! - expected) > 1e-5) mismatches += 1;
    }
  t.equal(mismatches, 0);
});

t.test('progress per epoch and clear errors', (t) => {
  const { train, numItems } = clusters();
  const seen: number[] = [];
  trainBpr(train, numItems, { seed: 1, onProgress: (done) => seen.push(done) }, { ...OPTIONS, epochs: 3 });
  t.same(seen, [1, 2, 3]);
  t.throws(() => trainBpr(train, numItems, { seed: 1 }, { ...OPTIONS, factors: 0, learningRate: -1 }), {
    message: /invalid BPR options: factors 0, learningRate -1/,
  });
  t.throws(() => trainBpr([{ user: 0, items: new Int32Array() }], 3, { seed: 1 }), {
    message: /at least one interaction/,
  });
  t.end();
});
