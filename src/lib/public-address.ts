import ipaddr from 'ipaddr.js';

// Which addresses a server-side request may reach: only the public internet. Loopback, private
// (RFC 1918, unique local), link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
// multicast, reserved and the transition ranges that can embed any IPv4 address are refused.

/** Whether `address` (an IPv4 or IPv6 literal) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  const effective =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  return effective.range() === 'unicast';
}

/** An IP literal as a URL's hostname gives it (IPv6 in brackets), or null for a name. */
export function ipLiteral(hostname: string): string | null {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}
