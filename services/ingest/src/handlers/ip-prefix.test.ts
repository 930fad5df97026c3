import t from 'tap';
import { anonymiseIp } from './ip-prefix.js';

t.test('anonymiseIp keeps the network, never the host', (t) => {
  t.equal(anonymiseIp('192.0.2.201'), '192.0.2.0/24');
  t.equal(anonymiseIp('::ffff:192.0.2.201'), '192.0.2.0/24', 'IPv4-mapped IPv6 (dual-stack sockets) is IPv4');
  t.equal(anonymiseIp('2001:db8:85a3:1234:5678:8a2e:370:7334'), '2001:db8:85a3::/48');
  t.equal(anonymiseIp('::1'), '::/48');
  t.equal(anonymiseIp('127.0.0.1'), '127.0.0.0/24');
  for (const bad of [undefined, '', 'localhost', '300.1.1.1', "1.2.3.4'; DROP TABLE events; --", '1.2.3']) {
    t.equal(anonymiseIp(bad), undefined, `not an address: ${String(bad)}`);
  }
  t.end();
});
