/**
 * IP anonymisation: we keep the network a shopper came from, never the address. An IPv4 address
 * keeps its /24, an IPv6 address its /48 (the usual site prefix) — coarse enough that it no longer
 * identifies a household, fine enough for geography and abuse analysis.
 */
import ipaddr from 'ipaddr.js';

const IPV4_PREFIX_BITS = 24;
const IPV6_PREFIX_BITS = 48;

/** `203.0.113.0/24` or `2001:db8:85a3::/48`; undefined when `ip` is not an address. */
export function anonymiseIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  // Only the canonical dotted quad: ipaddr also reads legacy forms ('1.2.3', octal) sockets never give.
  const isIpv4 = ipaddr.IPv4.isValidFourPartDecimal(ip);
  if (!isIpv4 && !ipaddr.IPv6.isValid(ip)) return undefined;
  let address = isIpv4 ? ipaddr.IPv4.parse(ip) : ipaddr.IPv6.parse(ip);
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) {
    address = address.toIPv4Address();
  }
  if (address instanceof ipaddr.IPv4) {
    const network = ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${IPV4_PREFIX_BITS}`);
    return `${network.toString()}/${IPV4_PREFIX_BITS}`;
  }
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${IPV6_PREFIX_BITS}`);
  return `${network.toString()}/${IPV6_PREFIX_BITS}`;
}
