import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Someone signed in at the fake provider: what its user endpoints answer. */
export interface FakeUser {
  /** GitHub: `/user`; Google: `/userinfo`. */
  profile: Record<string, unknown>;
  /** GitHub only: `/user/emails`. */
  emails?: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface FakeProviderPaths {
  authorize: string;
  token: string;
  user: string;
  emails?: string;
}

export const GITHUB_PATHS: FakeProviderPaths = {
  authorize: '/login/oauth/authorize',
  token: '/login/oauth/access_token',
  user: '/api/v3/user',
  emails: '/api/v3/user/emails',
};

export const GOOGLE_PATHS: FakeProviderPaths = {
  authorize: '/o/oauth2/v2/auth',
  token: '/token',
  user: '/oauth2/v3/userinfo',
};

/**
 * A GitHub- or Google-like OAuth 2.0 provider on loopback: the authorize endpoint signs in
 * `nextUser` at once (no login page) and redirects back with a single-use code; the token
 * endpoint checks client credentials, code and redirect_uri; the user endpoints need the token.
 */
export class FakeOAuthProvider {
  nextUser?: FakeUser;
  readonly authorizeRequests: URL[] = [];
  private readonly codes = new Map<string, { user: FakeUser; redirectUri: string }>();
  private readonly tokens = new Map<string, FakeUser>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly paths: FakeProviderPaths,
    private readonly client: { id: string; secret: string },
  ) {}

  static async start(paths: FakeProviderPaths, client: { id: string; secret: string }): Promise<FakeOAuthProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = new FakeOAuthProvider(server, `http://127.0.0.1:${port}`, paths, client);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      provider.handle(req, res).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
    });
    return provider;
  }

  url(path: keyof FakeProviderPaths): string {
    return `${this.baseUrl}${this.paths[path]}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === this.paths.authorize) {
      this.authorizeRequests.push(url);
      const redirectUri = url.searchParams.get('redirect_uri');
      if (url.searchParams.get('client_id') !== this.client.id || !redirectUri || !this.nextUser) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(10).toString('hex');
      this.codes.set(code, { user: this.nextUser, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = url.searchParams.get('state');
      if (state) back.searchParams.set('state', state);
      res.writeHead(302, { Location: back.toString() });
      return void res.end();
    }
    if (req.method === 'POST' && url.pathname === this.paths.token) {
      const form = new URLSearchParams(await bodyOf(req));
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':')
        : [];
      const id = form.get('client_id') ?? decodeURIComponent(basic[0] ?? '');
      const secret = form.get('client_secret') ?? decodeURIComponent(basic[1] ?? '');
      if (id !== this.client.id || secret !== this.client.secret) return json(401, { error: 'invalid_client' });
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!grant || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
      const token = randomBytes(16).toString('hex');
      this.tokens.set(token, grant.user);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'user:email' });
    }
    const user = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    if (req.method === 'GET' && (url.pathname === this.paths.user || url.pathname === this.paths.emails)) {
      if (!user) return json(401, { message: 'Bad credentials' });
      return json(200, url.pathname === this.paths.user ? user.profile : (user.emails ?? []));
    }
    json(404, { message: 'Not Found' });
  }
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}
