import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';

/*
 * The operator's allowlist (`SSRF_ALLOWLIST`): pure parsing and matching, no Nest, so that the
 * configuration loader can validate every entry at boot with the same code that applies them.
 */

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * One allowlist entry. A host entry (`api.internal`, or `*.corp.example` for every subdomain)
 * allows that URL hostname whatever it resolves to; a CIDR entry (`10.0.0.0/8`, `fd00::/8`, or a
 * single address, which is a /32 or /128) allows resolved addresses inside it.
 */
export type AllowlistEntry =
  | { kind: 'host'; host: string; text: string }
  | { kind: 'subdomains'; suffix: string; text: string }
  | { kind: 'cidr'; range: [IpAddress, number]; text: string };

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Parses one entry; throws an `Error` whose message says what is wrong with it (the loader puts
 * it after the variable's name and the entry).
 */
export function parseAllowlistEntry(raw: string): AllowlistEntry {
  const text = raw.trim().toLowerCase();
  if (!text) throw new Error('is empty');
  if (text === '*' || text === '*.') {
    throw new Error(
      'would allow every host; list hosts, *.domain wildcards or CIDRs (0.0.0.0/0 and ::/0 if you mean it)',
    );
  }
  if (text.includes('://')) throw new Error('is a URL; write only its host, e.g. api.internal');
  if (text.includes('/')) return parseCidr(text);
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv6.isValid(unbracketed) && unbracketed.includes(':')) {
    const address = normaliseAddress(ipaddr.IPv6.parse(unbracketed));
    return { kind: 'cidr', range: [address, address.kind() === 'ipv4' ? 32 : 128], text };
  }
  if (/^[0-9.]+$/.test(text) || /^0x/i.test(text)) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) {
      throw new Error('is not an IPv4 address in dotted decimal (a.b.c.d, no leading zeros)');
    }
    return { kind: 'cidr', range: [ipaddr.IPv4.parse(text), 32], text };
  }
  if (/:\d+$/.test(text)) throw new Error('has a port; entries are hosts or addresses (every port is allowed)');
  if (text.startsWith('*.')) return { kind: 'subdomains', suffix: `.${hostname(text.slice(2))}`, text };
  if (text.includes('*')) throw new Error('may only use * as its first label, e.g. *.example.com');
  return { kind: 'host', host: hostname(text), text };
}

/** Every entry of a list (comma-separated text or an array); throws on the first bad one. */
export function parseAllowlist(entries: string | readonly string[]): AllowlistEntry[] {
  const list = typeof entries === 'string' ? entries.split(',') : entries;
  return list.filter((entry) => entry.trim() !== '').map(parseAllowlistEntry);
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address it wraps: the kernel
 * connects to that address, so that is what is checked and matched.
 */
export function normaliseAddress(address: IpAddress): IpAddress {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** A URL's hostname as allowlist host entries compare it: lower case, no trailing dot. */
export function comparableHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

export class SsrfAllowlist {
  readonly entries: readonly AllowlistEntry[];

  constructor(entries: string | readonly string[] = []) {
    this.entries = parseAllowlist(entries);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The host entry (exact or wildcard) that allows this URL hostname, if any. */
  hostEntryFor(hostname: string): AllowlistEntry | undefined {
    const host = comparableHostname(hostname);
    return this.entries.find(
      (entry) =>
        (entry.kind === 'host' && entry.host === host) ||
        (entry.kind === 'subdomains' && host.length > entry.suffix.length && host.endsWith(entry.suffix)),
    );
  }

  /** The CIDR entry that contains this (normalised) address, if any. */
  cidrEntryFor(address: IpAddress): AllowlistEntry | undefined {
    return this.entries.find(
      (entry) => entry.kind === 'cidr' && entry.range[0].kind() === address.kind() && address.match(entry.range),
    );
  }
}

function parseCidr(text: string): AllowlistEntry {
  const [base, bits] = text.split('/', 2);
  const unbracketed = base.startsWith('[') && base.endsWith(']') ? base.slice(1, -1) : base;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (unbracketed.includes(':')) {
    if (!ipaddr.IPv6.isValid(unbracketed) || !(prefix <= 128)) {
      throw new Error('is not a CIDR range such as 10.0.0.0/8 or fd00::/8');
    }
    const address = ipaddr.IPv6.parse(unbracketed);
    if (address.isIPv4MappedAddress() && prefix >= 96) {
      return checkedRange(address.toIPv4Address(), prefix - 96, text);
    }
    return checkedRange(address, prefix, text);
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(unbracketed) || !(prefix <= 32)) {
    throw new Error('is not a CIDR range such as 10.0.0.0/8 or fd00::/8 (IPv4 in dotted decimal)');
  }
  return checkedRange(ipaddr.IPv4.parse(unbracketed), prefix, text);
}

/** Refuses host bits after the prefix (`10.1.2.3/8`): the operator meant something, but what? */
function checkedRange(address: IpAddress, prefix: number, text: string): AllowlistEntry {
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  if (network.toString() !== address.toString()) {
    throw new Error(`has bits set after the /${prefix} prefix; did you mean ${network.toString()}/${prefix}?`);
  }
  return { kind: 'cidr', range: [address, prefix], text };
}

function hostname(text: string): string {
  const ascii = domainToASCII(text.replace(/\.$/, ''));
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw new Error('is not a hostname, an IP address or a CIDR range');
  }
  // URL parsing reads a host ending in a number as an IPv4 address (`1.2.3.0x4` is 1.2.3.4).
  if (/^(\d+|0x[0-9a-f]*)$/i.test(labels[labels.length - 1])) {
    throw new Error('is not an IPv4 address in dotted decimal (a.b.c.d, no leading zeros)');
  }
  return ascii;
}
