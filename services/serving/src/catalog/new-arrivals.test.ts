import t from 'tap';
import { NewArrivals } from './new-arrivals.js';

t.test('an empty catalog has no new arrivals', (t) => {
  t.same(NewArrivals.build([], 0, 1).newest('Beauty'), []);
  t.end();
});
