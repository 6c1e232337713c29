import { loadAt, problemsAt } from '../../test/support/config';

describe('loadConfig: console SSO', () => {
  const load = loadAt;
  const problems = problemsAt;

  it('is off by default; CONSOLE_API_URL defaults to localhost:$PORT and CONSOLE_WEB_URL to it', () => {
    const config = load({ PORT: '8080' });
    expect(config.sso).toEqual({
      consoleApiUrl: 'http://localhost:8080',
      github: undefined,
      google: undefined,
      oidc: undefined,
      allowRegister: false,
      allowedEmailDomains: [],
      allowCreateWorkspace: false,
    });
    expect(config.consoleWebUrl).toBe('http://localhost:8080');
    expect(load({ CONSOLE_API_URL: 'https://keel.example.com/' }).consoleWebUrl).toBe('https://keel.example.com');
    expect(
      load({ CONSOLE_API_URL: 'https://api.example.com', CONSOLE_WEB_URL: 'https://console.example.com/' })
        .consoleWebUrl,
    ).toBe('https://console.example.com');
  });

  it('turns a provider on with its client id and secret alone, on the public endpoints', () => {
    const config = load({
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: 'ghs',
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: 'gs',
      OIDC_ISSUER: 'https://idp.example.com/realms/keel',
      OIDC_CLIENT_ID: 'keel',
      ALLOWED_EMAIL_DOMAINS: 'Example.com, example.org',
    });
    expect(config.sso.github).toEqual({
      clientId: 'gh',
      clientSecret: 'ghs',
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      apiUrl: 'https://api.github.com',
    });
    expect(config.sso.google).toMatchObject({
      clientId: 'g',
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    });
    expect(config.sso.oidc).toEqual({
      issuer: 'https://idp.example.com/realms/keel',
      clientId: 'keel',
      clientSecret: undefined,
      scopes: ['openid', 'email', 'profile'],
      emailClaim: 'email',
      displayName: 'SSO',
    });
    expect(config.sso.allowedEmailDomains).toEqual(['example.com', 'example.org']);
  });

  it('names the missing half of a pair, and the missing GitHub Enterprise URLs', () => {
    expect(problems({ GITHUB_CLIENT_ID: 'gh' })).toEqual([
      { variable: 'GITHUB_CLIENT_SECRET', message: 'is required when GITHUB_CLIENT_ID is set' },
    ]);
    expect(problems({ GOOGLE_CLIENT_SECRET: 'x' }).map((p) => p.variable)).toEqual(['GOOGLE_CLIENT_ID']);
    expect(problems({ OIDC_ISSUER: 'https://idp.example.com' }).map((p) => p.variable)).toEqual(['OIDC_CLIENT_ID']);
    expect(
      problems({ GITHUB_CLIENT_ID: 'gh', GITHUB_CLIENT_SECRET: 'x', GITHUB_API_URL: 'https://ghe.example.com/api/v3' })
        .map((p) => p.variable)
        .sort(),
    ).toEqual(['GITHUB_AUTHORIZE_URL', 'GITHUB_TOKEN_URL']);
    expect(problems({ GOOGLE_TOKEN_URL: 'http://127.0.0.1:1/token' })).toEqual([
      {
        variable: 'GOOGLE_TOKEN_URL',
        message: 'is only used with GOOGLE_CLIENT_ID (set it, or unset GOOGLE_TOKEN_URL)',
      },
    ]);
    expect(
      problems({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'k', OIDC_SCOPES: 'email profile' }),
    ).toEqual([{ variable: 'OIDC_SCOPES', message: 'must include openid, e.g. openid email profile' }]);
    expect(problems({ ALLOWED_EMAIL_DOMAINS: 'example.com,@bad' }).map((p) => p.variable)).toEqual([
      'ALLOWED_EMAIL_DOMAINS',
    ]);
  });
});
