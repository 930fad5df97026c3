import t from 'tap';
import { UNKNOWN_CLIENT, clientOf } from './client-address.js';

const defaults = { ipv4PrefixBits: 32, ipv6PrefixBits: 56 };

t.test('an IPv4 client is its address; IPv4-mapped IPv6 is read as IPv4', (t) => {
  t.equal(clientOf('198.51.100.7', defaults), '198.51.100.7');
  t.equal(clientOf('::ffff:198.51.100.7', defaults), '198.51.100.7');
  t.equal(clientOf('198.51.100.7', { ...defaults, ipv4PrefixBits: 24 }), '198.51.100.0/24');
  t.end();
});

t.test('an IPv6 client is its network: addresses inside one /56 are one client', (t) => {
  t.equal(clientOf('2001:db8:1:1::1', defaults), '2001:db8:1::/56');
  t.equal(clientOf('2001:db8:1:ff:abcd::9', defaults), '2001:db8:1::/56');
  t.not(clientOf('2001:db8:1:100::1', defaults), clientOf('2001:db8:1:1::1', defaults), 'the next /56');
  t.equal(clientOf('2001:DB8:1:1::1', { ...defaults, ipv6PrefixBits: 64 }), '2001:db8:1:1::/64');
  t.end();
});

t.test('no address, or not an address: one shared unknown client', (t) => {
  for (const bad of [undefined, '', 'localhost', '1.2.3', '010.1.1.1', '1.2.3.4:80', '::g'])
    t.equal(clientOf(bad, defaults), UNKNOWN_CLIENT, String(bad));
  t.end();
});
