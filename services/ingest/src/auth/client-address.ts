/**
 * Who a client is, for the per-client rate limit within a browser key: the request's address
 * (`request.ip`, which follows X-Forwarded-For only from trusted proxies, REC_HTTP_TRUST_PROXY),
 * cut to a prefix. IPv4 keeps its /32 by default: one address is one household or office behind
 * its NAT. IPv6 keeps its /56 by default: what residential ISPs delegate to one customer (RIPE-690),
 * so a client that hops between the addresses and /64s of its own delegation is still one client.
 * Behind a proxy that is not trusted, every request has the proxy's address and every visitor
 * shares one client's limit: set REC_HTTP_TRUST_PROXY there.
 */
import ipaddr from 'ipaddr.js';

export interface ClientPrefixes {
  /** Bits of an IPv4 address that name a client, 8-32. */
  readonly ipv4PrefixBits: number;
  /** Bits of an IPv6 address that name a client, 16-128. */
  readonly ipv6PrefixBits: number;
}

/** Shared by requests whose address cannot be read (no socket address: never in practice). */
export const UNKNOWN_CLIENT = 'unknown';

/** `198.51.100.7` (or `198.51.100.0/24` with a shorter prefix), `2001:db8:1:100::/56`. */
export function clientOf(ip: string | undefined, prefixes: ClientPrefixes): string {
  if (ip === undefined) return UNKNOWN_CLIENT;
  // Only the canonical dotted quad: ipaddr also reads legacy forms ('1.2.3', octal) sockets never give.
  const isIpv4 = ipaddr.IPv4.isValidFourPartDecimal(ip);
  if (!isIpv4 && !ipaddr.IPv6.isValid(ip)) return UNKNOWN_CLIENT;
  let address = isIpv4 ? ipaddr.IPv4.parse(ip) : ipaddr.IPv6.parse(ip);
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) address = address.toIPv4Address();
  if (address instanceof ipaddr.IPv4) {
    if (prefixes.ipv4PrefixBits === 32) return address.toString();
    const network = ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefixes.ipv4PrefixBits}`);
    return `${network.toString()}/${prefixes.ipv4PrefixBits}`;
  }
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefixes.ipv6PrefixBits}`);
  return `${network.toString()}/${prefixes.ipv6PrefixBits}`;
}
