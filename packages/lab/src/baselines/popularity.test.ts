import t from 'tap';
import { trainPopularity } from './popularity.js';

t.test('scores are training interaction counts, the same for every user', async (t) => {
  const train = [
    { user: 0, items: Int32Array.from([2, 2, 1]) },
    { user: 1, items: Int32Array.from([2, 0]) },
  ];
  const progress: string[] = [];
  const model = trainPopularity(train, 4, {
    seed: 1,
    onProgress: (done, total) => progress.push(`${done}/${total}`),
  });
  t.equal(model.name, 'popularity');
  const scores = await model.scoreAll([
    { user: 0, history: new Int32Array() },
    { user: 9, history: Int32Array.from([1]) },
  ]);
  t.same([...scores], [1, 1, 3, 0, 1, 1, 3, 0]);
  t.same(progress, ['1/1']);
});

t.test('items outside the catalog are refused', (t) => {
  t.throws(() => trainPopularity([{ user: 0, items: Int32Array.from([4]) }], 4, { seed: 1 }), {
    message: /user 0 has item 4, outside 0\.\.3/,
  });
  t.throws(() => trainPopularity([], 0, { seed: 1 }), { message: /numItems must be a positive integer/ });
  t.end();
});
