import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { OutboundRequestFailedException } from './outbound-request-failed.exception';
import { type IpAddress, normaliseAddress, SsrfAllowlist } from './ssrf-allowlist';

/*
 * The SSRF policy: which destinations a user- or model-steered request may reach. Pure decision
 * code (the resolver is a parameter); `SsrfGuardedHttp` applies it to every hop and connects to
 * the address it approved.
 *
 * The rule: an address is public only when ipaddr.js classifies it as `unicast` (and, for IPv6,
 * lies in global unicast 2000::/3); every special-purpose range is blocked — loopback, RFC 1918,
 * link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, unspecified, broadcast,
 * reserved and documentation ranges, IPv6 ULA and link-local, and the IPv6 forms that embed an
 * IPv4 address (NAT64, 6to4, Teredo, IPv4-translated). IPv4-mapped IPv6 addresses are judged as
 * the IPv4 address they map to. Odd IPv4 spellings (`2130706433`, `0x7f.1`, `0177.0.0.1`,
 * `127.1`) need no rule of their own: the WHATWG URL parser turns them into dotted decimal first.
 */

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a hostname to every address it has (`dns.promises.lookup(host, {all: true})`). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SsrfPolicyOptions {
  /** `SSRF_ALLOWLIST` entries: hostnames, `*.domain` wildcards, IP addresses, CIDR ranges. */
  allowlist?: string | readonly string[];
  /** `SSRF_ALLOWLIST_ONLY`: every destination must match the allowlist, public or not. */
  allowlistOnly?: boolean;
}

interface DecisionBase {
  url: URL;
  /** `scheme://host:port`, what logs and messages may show of the URL. */
  origin: string;
  /** The URL's hostname without IPv6 brackets. */
  hostname: string;
}

export interface AllowedDestination extends DecisionBase {
  allowed: true;
  /** The address to connect to: the first one the resolver returned (every one was checked). */
  address: string;
  family: 4 | 6;
  /** The allowlist entry that admitted the destination; absent for a public address. */
  allowedBy?: string;
}

export interface BlockedDestination extends DecisionBase {
  allowed: false;
  /** A range name (`private`, `loopback`, `linkLocal`, …) or `not_allowlisted`. */
  rule: string;
  /** For the client: names the rule and how to allow it; never a name's resolved address. */
  message: string;
  /** The address that was refused, for the operator's log. */
  address: string;
}

export type SsrfDecision = AllowedDestination | BlockedDestination;

const IPV4_RULES: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address (224.0.0.0/4)',
  linkLocal: 'a link-local address (169.254.0.0/16, where cloud metadata services live)',
  loopback: 'a loopback address (127.0.0.0/8)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10, RFC 6598)',
  private: 'a private address (RFC 1918)',
  reserved: 'a reserved or documentation address (RFC 6890)',
  benchmarking: 'a benchmarking address (198.18.0.0/15)',
  as112: 'an AS112 DNS sink address (RFC 7534)',
  amt: 'an AMT relay address (RFC 7450)',
};

const IPV6_RULES: Record<string, string> = {
  unspecified: 'the unspecified address (::)',
  linkLocal: 'a link-local address (fe80::/10)',
  multicast: 'a multicast address (ff00::/8)',
  loopback: 'the loopback address (::1)',
  uniqueLocal: 'a unique local address (fc00::/7)',
  ipv4Mapped: 'an IPv4-mapped address (::ffff:0:0/96)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  discard: 'a discard-only address (100::/64)',
  rfc6145: 'an IPv4-translated address (::ffff:0:0:0/96, RFC 6145)',
  rfc6052: 'a NAT64 address (64:ff9b::/96, RFC 6052), which embeds an IPv4 address',
  '6to4': 'a 6to4 address (2002::/16), which embeds an IPv4 address',
  teredo: 'a Teredo address (2001::/32), which embeds an IPv4 address',
  reserved: 'a reserved or documentation address (RFC 6890)',
  notGlobalUnicast: 'not a global unicast address (outside 2000::/3)',
};

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Why an address is not public: `{rule, description}` of its special-purpose range, or
 * `undefined` for a public unicast address. Pass a normalised address (IPv4-mapped unwrapped).
 */
export function blockedRange(address: IpAddress): { rule: string; description: string } | undefined {
  const range = address.range();
  if (address.kind() === 'ipv4') {
    if (range === 'unicast') return undefined;
    return { rule: range, description: IPV4_RULES[range] ?? `a special-purpose address (${range})` };
  }
  if (range === 'unicast') {
    if (address.match(GLOBAL_UNICAST_V6)) return undefined;
    return { rule: 'notGlobalUnicast', description: IPV6_RULES.notGlobalUnicast };
  }
  return { rule: range, description: IPV6_RULES[range] ?? `a special-purpose address (${range})` };
}

/** `scheme://host:port` of a URL, the only part of it that logs and error messages show. */
export function originOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname}:${port}`;
}

export class SsrfPolicy {
  readonly allowlist: SsrfAllowlist;
  readonly allowlistOnly: boolean;

  constructor(options: SsrfPolicyOptions = {}) {
    this.allowlist = new SsrfAllowlist(options.allowlist ?? []);
    this.allowlistOnly = options.allowlistOnly ?? false;
  }

  /**
   * Parses a URL with the WHATWG parser (which also normalises IPv4 spellings); only http and https
   * are accepted. Throws `OutboundRequestFailedException` (`invalid_url`).
   */
  parseUrl(raw: string | URL): URL {
    let url: URL;
    try {
      url = typeof raw === 'string' ? new URL(raw) : raw;
    } catch {
      throw new OutboundRequestFailedException('invalid_url', 'The URL is not a valid absolute URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRequestFailedException(
        'invalid_url',
        `Only http and https URLs can be requested, not ${url.protocol.replace(/:$/, '')}.`,
      );
    }
    if (!url.hostname) throw new OutboundRequestFailedException('invalid_url', 'The URL has no host.');
    return url;
  }

  /**
   * Resolves the URL's host (once; an IP literal is not looked up) and decides on every address.
   * Throws `OutboundRequestFailedException` for a bad URL or a failed lookup.
   */
  async evaluate(raw: string | URL, resolve: HostResolver): Promise<SsrfDecision> {
    const url = this.parseUrl(raw);
    const hostname = bareHostname(url);
    if (isIP(hostname)) return this.decide(url, [hostname]);
    let resolved: ResolvedAddress[];
    try {
      resolved = await resolve(hostname);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new OutboundRequestFailedException(
        'dns',
        `Cannot resolve ${hostname}${typeof code === 'string' ? ` (${code})` : ''}.`,
        error,
      );
    }
    if (resolved.length === 0) {
      throw new OutboundRequestFailedException('dns', `Cannot resolve ${hostname} (no addresses).`);
    }
    return this.decide(
      url,
      resolved.map((r) => r.address),
    );
  }

  /**
   * The decision for a parsed URL whose host has these addresses: blocked when any one of them is
   * (a name with one public and one private address is blocked), else allowed with the first.
   */
  decide(url: URL, addresses: readonly string[]): SsrfDecision {
    const hostname = bareHostname(url);
    const origin = originOf(url);
    const literal = isIP(hostname) !== 0;
    if (addresses.length === 0) throw new Error('SsrfPolicy.decide needs at least one address');
    const parsed = addresses.map((address) => {
      if (!isIP(address)) {
        throw new OutboundRequestFailedException('dns', `Cannot resolve ${hostname} (not an address: ${address}).`);
      }
      return normaliseAddress(ipaddr.parse(address));
    });
    const first = parsed[0];
    const allowed = (allowedBy?: string): AllowedDestination => ({
      allowed: true,
      url,
      origin,
      hostname,
      address: first.toString(),
      family: first.kind() === 'ipv4' ? 4 : 6,
      allowedBy,
    });

    // A host entry trusts the name, whatever it resolves to (IP literals are matched by CIDR).
    const hostEntry = literal ? undefined : this.allowlist.hostEntryFor(hostname);
    if (hostEntry) return allowed(hostEntry.text);

    const block = (address: IpAddress, rule: string, what: string): BlockedDestination => {
      let reason: string;
      if (rule === 'not_allowlisted') {
        reason = `${hostname} is not on SSRF_ALLOWLIST, and only allowlisted destinations are reachable (SSRF_ALLOWLIST_ONLY is on)`;
      } else {
        // An IP literal is named as written (and as the IPv4 address it maps to); a name's
        // addresses are not disclosed to the client (that would map internal DNS for a caller).
        const subject = !literal
          ? `${hostname} resolves to ${what}`
          : ipaddr.parse(hostname).toString() !== address.toString()
            ? `${hostname} is ${address.toString()}, ${what}`
            : `${hostname} is ${what}`;
        reason = `${subject}; an operator can allow it with SSRF_ALLOWLIST`;
      }
      return {
        allowed: false,
        url,
        origin,
        hostname,
        rule,
        message: `Blocked request to ${origin}: ${reason}.`,
        address: address.toString(),
      };
    };

    let allowedBy: string | undefined;
    for (const address of parsed) {
      const entry = this.allowlist.cidrEntryFor(address);
      if (entry) {
        allowedBy ??= entry.text;
        continue;
      }
      if (this.allowlistOnly) {
        return block(address, 'not_allowlisted', 'not on SSRF_ALLOWLIST');
      }
      const range = blockedRange(address);
      if (range) return block(address, range.rule, range.description);
    }
    return allowed(allowedBy);
  }
}

/** The URL's hostname as an address or a name: IPv6 literals lose their brackets. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
