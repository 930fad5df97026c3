import t from 'tap';
import { readTime, resultLimit } from './limits.js';

t.test('result sizes: none for k ≤ 0, capped, an error for non-integers', (t) => {
  t.equal(resultLimit('k', 0, 10), 0);
  t.equal(resultLimit('k', -3, 10), 0);
  t.equal(resultLimit('k', 4, 10), 4);
  t.equal(resultLimit('k', 40, 10), 10);
  t.throws(() => resultLimit('k', 1.5, 10), { name: 'RangeError', message: /k must be an integer, got 1.5/ });
  t.throws(() => resultLimit('k', Number.NaN, 10), RangeError);
  t.throws(() => resultLimit('k', Infinity, 10), RangeError);
  t.equal(readTime(5), 5);
  t.throws(() => readTime(Number.NaN), { name: 'RangeError', message: /nowMs/ });
  t.end();
});
