// An OpenID Connect provider for the e2e suites: oauth2-mock-server 8 (ESM-only, so it runs in
// its own Node process, not inside Jest's CommonJS runtime). It listens on 127.0.0.1 (a free
// port), prints {"issuer": "..."} on stdout once ready, and stops when stdin closes.
// Who signs in: the authorize request's `test_user` parameter, base64url JSON of claims
// (sub, email, email_verified, name, …), which the ID token and userinfo then carry.
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
const claimsByCode = new Map();
const claimsByToken = new Map();

server.service.on('beforeAuthorizeRedirect', (redirect, req) => {
  const code = redirect.url.searchParams.get('code');
  const user = typeof req.query.test_user === 'string' ? req.query.test_user : undefined;
  if (code && user) claimsByCode.set(code, JSON.parse(Buffer.from(user, 'base64url').toString('utf8')));
});

server.service.on('beforeTokenSigning', (token, req) => {
  const claims = claimsByCode.get(req.body?.code);
  if (claims) Object.assign(token.payload, claims);
});

server.service.on('beforeResponse', (response, req) => {
  const claims = claimsByCode.get(req.body?.code);
  if (claims && response.body.access_token) claimsByToken.set(response.body.access_token, claims);
});

server.service.on('beforeUserinfo', (response, req) => {
  const token = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
  const claims = claimsByToken.get(token);
  if (claims) response.body = { ...claims };
});

await server.start(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ issuer: server.issuer.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.stop().then(() => process.exit(0));
});
