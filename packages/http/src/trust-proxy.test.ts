import t from 'tap';
import { parseTrustProxy } from './index.js';

t.test('parseTrustProxy', (t) => {
  t.equal(parseTrustProxy(''), false);
  t.equal(parseTrustProxy('false'), false, 'the default: X-Forwarded-For is not believed');
  t.equal(parseTrustProxy('true'), true);
  t.same(parseTrustProxy('10.0.0.0/8, 192.168.1.7'), ['10.0.0.0/8', '192.168.1.7'], 'addresses and CIDRs');
  t.end();
});
