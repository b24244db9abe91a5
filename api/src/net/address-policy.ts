import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which network addresses outbound requests (webhooks, the `http.request` task) may reach.
 * Only globally routable unicast addresses pass; everything that leads into the machine, its
 * network or the cloud provider's metadata service is refused unless the operator opts it in.
 */

const RANGE_LABELS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  deprecatedSiteLocal: 'a private (site-local) address',
  reserved: 'a reserved address',
  teredo: 'a Teredo tunnel address',
  discard: 'a discard-only address',
};

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** IPv6 forms that carry an IPv4 address in their last 32 bits: the IPv4 address is what gets reached. */
const EMBEDS_IPV4_AT_END = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052']);
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

function ipv4FromBytes(bytes: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes as [number, number, number, number]);
}

/** The IPv4 address an IPv6 address stands for (mapped, translated, NAT64, 6to4, compatible), if any. */
function embeddedIPv4(ip: ipaddr.IPv6): { ip: ipaddr.IPv4; form: string } | null {
  const bytes = ip.toByteArray();
  const range = ip.range();
  if (EMBEDS_IPV4_AT_END.has(range)) return { ip: ipv4FromBytes(bytes.slice(12)), form: range === 'ipv4Mapped' ? 'IPv4-mapped' : 'NAT64' };
  if (range === '6to4') return { ip: ipv4FromBytes(bytes.slice(2, 6)), form: '6to4' };
  // ::/96 minus :: and ::1 (classified as unspecified/loopback by range()).
  if (range === 'unicast' && ip.match(IPV4_COMPATIBLE)) return { ip: ipv4FromBytes(bytes.slice(12)), form: 'IPv4-compatible' };
  return null;
}

/**
 * Why an address may not be reached, or null when it is a public unicast address.
 * `address` must be an IP literal (v4 dotted or v6); anything else is refused.
 */
export function forbiddenReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) === 0) return 'not an IP address';
  const ip = ipaddr.parse(bare);
  const normalized = ip.toString();
  if (METADATA.has(normalized)) return 'the cloud metadata address';
  if (ip.kind() === 'ipv6') {
    const embedded = embeddedIPv4(ip as ipaddr.IPv6);
    if (embedded) {
      const inner = forbiddenReason(embedded.ip.toString());
      return inner ? `${inner} in ${embedded.form} form` : null;
    }
  }
  const range = ip.range();
  if (range === 'unicast') return null;
  return RANGE_LABELS[range] ?? `a special-purpose address (${range})`;
}

/** Operator's opt-ins from WEBHOOK_ALLOWED_HOSTS: host names (`*.corp.example` too), IPs and CIDRs. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      if (!entry) continue;
      if (entry.includes('/')) {
        if (!ipaddr.isValidCIDR(entry))
          throw new Error(`WEBHOOK_ALLOWED_HOSTS: expected a host name, an IP or a CIDR such as 10.0.0.0/8, got "${raw}"`);
        this.cidrs.push(ipaddr.parseCIDR(entry));
      } else if (isIP(entry) !== 0) {
        const ip = ipaddr.parse(entry);
        this.cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      } else if (entry.startsWith('*.')) {
        this.suffixes.push(entry.slice(1));
      } else {
        this.hosts.add(normalizeHost(entry));
      }
    }
  }

  get isEmpty(): boolean {
    return this.hosts.size === 0 && this.suffixes.length === 0 && this.cidrs.length === 0;
  }

  /** A listed host name is trusted whatever it resolves to: the operator named it on purpose. */
  allowsHost(hostname: string): boolean {
    const host = normalizeHost(hostname);
    if (this.hosts.has(host)) return true;
    if (this.suffixes.some((s) => host.endsWith(s))) return true;
    return isIP(host) !== 0 && this.allowsAddress(host);
  }

  allowsAddress(address: string): boolean {
    const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    if (isIP(bare) === 0) return false;
    const ip = ipaddr.parse(bare);
    // Compare like with like: an IPv4-mapped IPv6 address matches IPv4 entries.
    const candidates: (ipaddr.IPv4 | ipaddr.IPv6)[] = [ip];
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) candidates.push((ip as ipaddr.IPv6).toIPv4Address());
    if (ip.kind() === 'ipv4') candidates.push((ip as ipaddr.IPv4).toIPv4MappedAddress());
    return this.cidrs.some(([net, bits]) => candidates.some((c) => c.kind() === net.kind() && c.match(net, bits)));
  }
}

/** Lower case, brackets and one trailing dot removed: `Example.COM.` and `example.com` are one host. */
export function normalizeHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/** Names that mean this machine without asking DNS (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const host = normalizeHost(hostname);
  return host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain';
}
