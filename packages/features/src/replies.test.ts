import t from 'tap';
import { numberOr0, optionalScore, parseScore, parseScored } from './replies.js';

t.test('scores and counts from Redis replies', (t) => {
  t.same(parseScored(['a', '1.5', 'b', '-inf', 'c', 'inf']), [
    { member: 'a', score: 1.5 },
    { member: 'b', score: -Infinity },
    { member: 'c', score: Infinity },
  ]);
  t.same(parseScored(['dangling']), [], 'an odd trailing member is no pair');
  t.equal(parseScore('+inf'), Infinity);
  t.equal(numberOr0(null), 0);
  t.equal(numberOr0('3'), 3);
  t.equal(numberOr0('x'), 0);
  t.equal(optionalScore(null), undefined);
  t.equal(optionalScore('2.25'), 2.25);
  t.end();
});
