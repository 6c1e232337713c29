import { OutboundRequestFailedException } from './outbound-request-failed.exception';
import { parseAllowlistEntry } from './ssrf-allowlist';
import { type HostResolver, type SsrfDecision, SsrfPolicy, type SsrfPolicyOptions } from './ssrf-policy';

// Nothing here connects anywhere, and no name is looked up: every hostname is answered by this
// table, and an unknown one fails the test. The public addresses are only data.
const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:4700::1111';
const NAMES: Record<string, string[]> = {
  'public.test': [PUBLIC_V4],
  'public6.test': [PUBLIC_V6],
  'both-public.test': [PUBLIC_V4, PUBLIC_V6],
  'internal.test': ['10.0.0.5'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': [PUBLIC_V4, '192.168.1.10'],
  'mixed-late.test': [PUBLIC_V4, PUBLIC_V6, '::1'],
  'mapped.test': ['::ffff:10.0.0.5'],
  'api.corp.test': ['10.20.0.7'],
  'corp.test': ['10.20.0.8'],
  'deep.api.corp.test': ['172.16.3.4'],
  'localhost.test': ['127.0.0.1', '::1'],
  'empty.test': [],
};

function fakeResolver() {
  const calls: string[] = [];
  const resolve: HostResolver = async (hostname) => {
    calls.push(hostname);
    const addresses = NAMES[hostname.replace(/\.$/, '')];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

const evaluate = (url: string, options: SsrfPolicyOptions = {}) =>
  new SsrfPolicy(options).evaluate(url, fakeResolver().resolve);

async function failureOf(promise: Promise<unknown>): Promise<OutboundRequestFailedException> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutboundRequestFailedException);
    return error as OutboundRequestFailedException;
  }
  throw new Error('expected the request to fail');
}

describe('SsrfPolicy', () => {
  describe('the WHATWG URL parser normalises IPv4 spellings before any rule runs', () => {
    it.each(['http://2130706433/', 'http://0x7f000001/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/'])(
      '%s is 127.0.0.1',
      (url) => {
        expect(new SsrfPolicy().parseUrl(url).hostname).toBe('127.0.0.1');
      },
    );
  });

  describe('blocks every non-public destination by default', () => {
    it.each([
      // [url, rule, a fragment of the message]
      ['http://127.0.0.1/', 'loopback', '127.0.0.1 is a loopback address (127.0.0.0/8)'],
      ['http://127.1/', 'loopback', 'loopback'],
      ['http://2130706433/', 'loopback', 'loopback'],
      ['http://0x7f000001/', 'loopback', 'loopback'],
      ['http://0177.0.0.1/', 'loopback', 'loopback'],
      ['http://10.1.2.3/', 'private', '10.1.2.3 is a private address (RFC 1918)'],
      ['http://10.255.255.255/', 'private', 'RFC 1918'],
      ['http://172.16.0.1/', 'private', 'RFC 1918'],
      ['http://172.31.255.254/', 'private', 'RFC 1918'],
      ['http://192.168.0.1/', 'private', 'RFC 1918'],
      ['http://169.254.169.254/latest/meta-data/', 'linkLocal', 'link-local'],
      ['http://100.64.0.1/', 'carrierGradeNat', 'carrier-grade NAT'],
      ['http://100.127.255.254/', 'carrierGradeNat', 'RFC 6598'],
      ['http://224.0.0.1/', 'multicast', 'multicast'],
      ['http://0.0.0.0/', 'unspecified', 'unspecified'],
      ['http://0/', 'unspecified', 'unspecified'],
      ['http://255.255.255.255/', 'broadcast', 'broadcast'],
      ['http://192.0.2.1/', 'reserved', 'reserved or documentation'],
      ['http://198.18.0.1/', 'reserved', 'reserved'],
      ['http://240.0.0.1/', 'reserved', 'reserved'],
      ['http://[::1]/', 'loopback', '::1 is the loopback address (::1)'],
      ['http://[::]/', 'unspecified', 'unspecified'],
      ['http://[fd00::1]/', 'uniqueLocal', 'unique local address (fc00::/7)'],
      ['http://[fc00::1]/', 'uniqueLocal', 'unique local'],
      ['http://[fe80::1]/', 'linkLocal', 'link-local address (fe80::/10)'],
      ['http://[ff02::1]/', 'multicast', 'multicast'],
      ['http://[fec0::1]/', 'deprecatedSiteLocal', 'site-local'],
      ['http://[::ffff:127.0.0.1]/', 'loopback', '::ffff:7f00:1 is 127.0.0.1, a loopback address'],
      ['http://[::ffff:7f00:1]/', 'loopback', 'is 127.0.0.1, a loopback address'],
      ['http://[::ffff:a9fe:a9fe]/', 'linkLocal', 'is 169.254.169.254, a link-local address'],
      ['http://[::ffff:0:7f00:1]/', 'rfc6145', 'IPv4-translated'],
      ['http://[64:ff9b::a00:1]/', 'rfc6052', 'NAT64'],
      ['http://[64:ff9b:1::a00:1]/', 'rfc6052', 'NAT64'],
      ['http://[2002:a00:1::]/', '6to4', '6to4'],
      ['http://[2001::1]/', 'teredo', 'Teredo'],
      ['http://[2001:db8::1]/', 'reserved', 'documentation'],
      ['http://[::7f00:1]/', 'notGlobalUnicast', 'outside 2000::/3'],
      ['http://[100::1]/', 'discard', 'discard'],
      ['https://internal.test/', 'private', 'internal.test resolves to a private address (RFC 1918)'],
      ['http://metadata.test/', 'linkLocal', 'metadata.test resolves to a link-local address'],
      ['http://mapped.test/', 'private', 'mapped.test resolves to a private address'],
      ['http://localhost.test/', 'loopback', 'loopback'],
    ])('%s → %s', async (url, rule, fragment) => {
      const decision = await evaluate(url);
      expect(decision).toMatchObject({ allowed: false, rule });
      const { message } = decision as Extract<SsrfDecision, { allowed: false }>;
      expect(message).toContain(fragment);
      expect(message).toContain('SSRF_ALLOWLIST');
    });

    it('names the rule and the remedy, shows only the origin, and never the address a name resolved to', async () => {
      const literal = await evaluate('http://10.1.2.3/admin?key=s3cret');
      expect(literal).toMatchObject({
        allowed: false,
        origin: 'http://10.1.2.3:80',
        message:
          'Blocked request to http://10.1.2.3:80: 10.1.2.3 is a private address (RFC 1918); ' +
          'an operator can allow it with SSRF_ALLOWLIST.',
      });
      const named = (await evaluate('https://internal.test:8443/x?token=abc')) as Extract<
        SsrfDecision,
        { allowed: false }
      >;
      expect(named.message).toBe(
        'Blocked request to https://internal.test:8443: internal.test resolves to a private address (RFC 1918); ' +
          'an operator can allow it with SSRF_ALLOWLIST.',
      );
      expect(named.message).not.toContain('10.0.0.5');
      expect(named.address).toBe('10.0.0.5'); // for the operator's log
    });

    it('blocks a name when any of its addresses is blocked, wherever it is in the answer', async () => {
      expect(await evaluate('http://mixed.test/')).toMatchObject({ allowed: false, rule: 'private' });
      expect(await evaluate('http://mixed-late.test/')).toMatchObject({ allowed: false, rule: 'loopback' });
    });
  });

  describe('allows public destinations', () => {
    it.each([
      [`http://${PUBLIC_V4}/`, PUBLIC_V4, 4],
      [`https://[${PUBLIC_V6}]/`, PUBLIC_V6, 6],
      ['http://public.test/', PUBLIC_V4, 4],
      ['https://public6.test/', PUBLIC_V6, 6],
      ['http://both-public.test:8080/', PUBLIC_V4, 4],
      ['http://[::ffff:93.184.215.14]/', PUBLIC_V4, 4],
    ])('%s → connect to %s', async (url, address, family) => {
      expect(await evaluate(url)).toMatchObject({ allowed: true, address, family, allowedBy: undefined });
    });

    it('resolves a name once and does not look up IP literals', async () => {
      const { resolve, calls } = fakeResolver();
      const policy = new SsrfPolicy();
      await policy.evaluate('http://public.test/', resolve);
      await policy.evaluate(`http://${PUBLIC_V4}/`, resolve);
      await policy.evaluate('http://[::1]/', resolve);
      expect(calls).toEqual(['public.test']);
    });
  });

  describe('the allowlist', () => {
    it('allows a host entry whatever the name resolves to, and only that name', async () => {
      const options = { allowlist: ['internal.test'] };
      expect(await evaluate('http://internal.test/', options)).toMatchObject({
        allowed: true,
        address: '10.0.0.5',
        allowedBy: 'internal.test',
      });
      expect(await evaluate('http://INTERNAL.test./', options)).toMatchObject({ allowed: true });
      expect(await evaluate('http://metadata.test/', options)).toMatchObject({ allowed: false });
      expect(await evaluate('http://10.0.0.5/', options)).toMatchObject({ allowed: false, rule: 'private' });
    });

    it('allows subdomains with a *. wildcard, not the domain itself', async () => {
      const options = { allowlist: '*.corp.test' };
      expect(await evaluate('http://api.corp.test/', options)).toMatchObject({
        allowed: true,
        allowedBy: '*.corp.test',
      });
      expect(await evaluate('http://deep.api.corp.test/', options)).toMatchObject({ allowed: true });
      expect(await evaluate('http://corp.test/', options)).toMatchObject({ allowed: false, rule: 'private' });
    });

    it('allows resolved addresses inside an IP or CIDR entry, v4 and v6', async () => {
      const options = { allowlist: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8', '[fe80::1]'] };
      expect(await evaluate('http://10.9.8.7/', options)).toMatchObject({ allowed: true, allowedBy: '10.0.0.0/8' });
      expect(await evaluate('http://internal.test/', options)).toMatchObject({ allowed: true });
      expect(await evaluate('http://mapped.test/', options)).toMatchObject({ allowed: true, address: '10.0.0.5' });
      expect(await evaluate('http://127.1/', options)).toMatchObject({ allowed: true, allowedBy: '127.0.0.1' });
      expect(await evaluate('http://[::ffff:127.0.0.1]/', options)).toMatchObject({ allowed: true });
      expect(await evaluate('http://[fd12::3]/', options)).toMatchObject({ allowed: true, allowedBy: 'fd00::/8' });
      expect(await evaluate('http://[fe80::1]/', options)).toMatchObject({ allowed: true });
      expect(await evaluate('http://127.0.0.2/', options)).toMatchObject({ allowed: false, rule: 'loopback' });
      expect(await evaluate('http://172.16.0.1/', options)).toMatchObject({ allowed: false, rule: 'private' });
      // Every address must pass: one allowed and one blocked is blocked.
      expect(await evaluate('http://localhost.test/', { allowlist: ['127.0.0.0/8'] })).toMatchObject({
        allowed: false,
        rule: 'loopback',
        address: '::1',
      });
      expect(await evaluate('http://localhost.test/', { allowlist: ['127.0.0.0/8', '::1'] })).toMatchObject({
        allowed: true,
        address: '127.0.0.1',
      });
    });

    it('accepts an IPv4-mapped range as the IPv4 range it maps', async () => {
      expect(await evaluate('http://10.0.0.9/', { allowlist: ['::ffff:10.0.0.0/104'] })).toMatchObject({
        allowed: true,
      });
    });

    it('in allowlist-only mode, requires a match even for public destinations', async () => {
      const options = { allowlist: ['public.test', '10.0.0.0/8'], allowlistOnly: true };
      expect(await evaluate('http://public.test/', options)).toMatchObject({ allowed: true });
      expect(await evaluate('http://internal.test/', options)).toMatchObject({ allowed: true });
      const refused = await evaluate('http://public6.test/', options);
      expect(refused).toMatchObject({ allowed: false, rule: 'not_allowlisted' });
      expect((refused as Extract<SsrfDecision, { allowed: false }>).message).toBe(
        'Blocked request to http://public6.test:80: public6.test is not on SSRF_ALLOWLIST, and only ' +
          'allowlisted destinations are reachable (SSRF_ALLOWLIST_ONLY is on).',
      );
      expect(await evaluate(`http://${PUBLIC_V4}/`, options)).toMatchObject({
        allowed: false,
        rule: 'not_allowlisted',
      });
      expect(await evaluate('http://mixed.test/', options)).toMatchObject({ allowed: false, rule: 'not_allowlisted' });
    });
  });

  describe('refuses what is not an http(s) request, without a lookup', () => {
    it.each([
      'file:///etc/passwd',
      'ftp://public.test/x',
      'gopher://public.test:70/_x',
      'data:text/plain,hi',
      'javascript:alert(1)',
    ])('%s', async (url) => {
      const { resolve, calls } = fakeResolver();
      const failure = await failureOf(new SsrfPolicy().evaluate(url, resolve));
      expect(failure).toMatchObject({ failure: 'invalid_url', code: 'outbound_request_failed' });
      expect(failure.getStatus()).toBe(400);
      expect(failure.message).toMatch(/^Only http and https URLs can be requested, not [a-z]+\.$/);
      expect(calls).toEqual([]);
    });

    it('refuses a string that is not a URL without echoing it', async () => {
      const failure = await failureOf(evaluate('not a url with a secret=abc'));
      expect(failure).toMatchObject({ failure: 'invalid_url', message: 'The URL is not a valid absolute URL.' });
    });

    it('reports a failed or empty lookup as a DNS failure', async () => {
      expect(await failureOf(evaluate('http://nowhere.test/'))).toMatchObject({
        failure: 'dns',
        message: 'Cannot resolve nowhere.test (ENOTFOUND).',
      });
      expect(await failureOf(evaluate('http://empty.test/'))).toMatchObject({ failure: 'dns' });
    });
  });

  describe('allowlist entries', () => {
    it.each([
      ['api.internal', { kind: 'host', host: 'api.internal' }],
      ['API.Internal.', { kind: 'host', host: 'api.internal' }],
      ['bücher.test', { kind: 'host', host: 'xn--bcher-kva.test' }],
      ['*.corp.test', { kind: 'subdomains', suffix: '.corp.test' }],
      ['10.0.0.0/8', { kind: 'cidr' }],
      ['10.0.0.1', { kind: 'cidr' }],
      ['fd00::/8', { kind: 'cidr' }],
      ['[::1]', { kind: 'cidr' }],
      ['0.0.0.0/0', { kind: 'cidr' }],
    ])('accepts %s', (entry, shape) => {
      expect(parseAllowlistEntry(entry)).toMatchObject(shape);
    });

    it.each([
      ['*', 'every host'],
      ['*corp.test', 'first label'],
      ['api.*.test', 'first label'],
      ['api.internal:8080', 'port'],
      ['10.0.0.0/33', 'CIDR'],
      ['10.0.0.0/x', 'CIDR'],
      ['fd00::/129', 'CIDR'],
      ['10.1.2.3/8', 'did you mean 10.0.0.0/8'],
      ['0x7f.1', 'dotted decimal'],
      ['0177.0.0.1', 'dotted decimal'],
      ['127.1', 'dotted decimal'],
      ['2130706433', 'dotted decimal'],
      ['1.2.3.0x4', 'dotted decimal'],
      ['exa mple.com', 'not a hostname'],
      ['a..b', 'not a hostname'],
      ['http://api.internal', 'is a URL'],
    ])('refuses %s', (entry, reason) => {
      expect(() => parseAllowlistEntry(entry)).toThrow(reason);
    });
  });
});
