import { loadAt, problemsAt } from '../../test/support/config';

describe('loadConfig: SSRF guard', () => {
  it('blocks everything private by default, in every NODE_ENV, with a 10 MiB response cap', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(loadAt({ NODE_ENV }).ssrf).toEqual({ allowlist: [], allowlistOnly: false, maxResponseBytes: 10_485_760 });
    }
  });

  it('reads the allowlist, allowlist-only mode and the cap', () => {
    expect(
      loadAt({
        SSRF_ALLOWLIST: ' API.Internal , *.corp.example,10.0.0.0/8, fd00::/8 ,127.0.0.1,',
        SSRF_ALLOWLIST_ONLY: 'true',
        SSRF_MAX_RESPONSE_BYTES: '512kb',
      }).ssrf,
    ).toEqual({
      allowlist: ['api.internal', '*.corp.example', '10.0.0.0/8', 'fd00::/8', '127.0.0.1'],
      allowlistOnly: true,
      maxResponseBytes: 524_288,
    });
  });

  it('names the variable and every bad entry', () => {
    const problems = problemsAt({ SSRF_ALLOWLIST: 'ok.example,10.1.2.3/8,*,0x7f.1,host:8080' });
    expect(problems.map((p) => p.variable)).toEqual(Array(4).fill('SSRF_ALLOWLIST'));
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^entry "10\.1\.2\.3\/8" has bits set after the \/8 prefix; did you mean 10\.0\.0\.0\/8\?/),
      expect.stringMatching(/^entry "\*" would allow every host/),
      expect.stringMatching(/^entry "0x7f\.1" is not an IPv4 address in dotted decimal/),
      expect.stringMatching(/^entry "host:8080" has a port/),
    ]);
  });

  it('refuses allowlist-only mode with an empty allowlist, and malformed values', () => {
    expect(problemsAt({ SSRF_ALLOWLIST_ONLY: 'true' })).toEqual([
      { variable: 'SSRF_ALLOWLIST_ONLY', message: expect.stringContaining('SSRF_ALLOWLIST is empty') },
    ]);
    expect(
      problemsAt({ SSRF_ALLOWLIST_ONLY: 'maybe', SSRF_MAX_RESPONSE_BYTES: 'huge' })
        .map((p) => p.variable)
        .sort(),
    ).toEqual(['SSRF_ALLOWLIST_ONLY', 'SSRF_MAX_RESPONSE_BYTES']);
  });
});
