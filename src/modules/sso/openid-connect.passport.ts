import type { Request } from 'express';
import { type BaseClient, generators, Issuer, type UserinfoResponse } from 'openid-client';
import passport from 'passport';
import type { OidcClientConfig } from '../../config/app-config';
import type { OAuthStateStore } from './oauth-state.store';

export type OidcClaims = UserinfoResponse;
type Verify = (claims: OidcClaims, done: (err: unknown, user?: unknown, info?: unknown) => void) => void;

export interface OpenIdConnectOptions {
  config: OidcClientConfig;
  callbackURL: string;
  store: OAuthStateStore;
}

/**
 * A passport strategy for any OpenID Connect provider, on openid-client (its own passport
 * strategy keeps state in express-session, which Keel does not run). Discovery happens at the
 * first sign-in, not at boot, and is retried after a failure. Authorization code flow with PKCE
 * (S256); `state` through the cookie-bound store, `nonce` and the ID token's signature, issuer,
 * audience and expiry checked by openid-client. Claims missing from the ID token are taken from
 * the userinfo endpoint.
 */
export class OpenIdConnectPassport extends passport.Strategy {
  override name = 'oidc';
  private client?: Promise<BaseClient>;

  constructor(
    private readonly options: OpenIdConnectOptions,
    private readonly verify: Verify,
  ) {
    super();
  }

  override authenticate(req: Request): void {
    // `this` is passport's per-request copy of the strategy, with success/fail/redirect/error.
    const self = this as unknown as OpenIdConnectPassport & passport.StrategyCreatedStatic;
    this.run(req, self).catch((error: unknown) => self.error(error as Error));
  }

  private async run(req: Request, self: OpenIdConnectPassport & passport.StrategyCreatedStatic): Promise<void> {
    const { config, callbackURL, store } = this.options;
    const client = await this.discoveredClient();
    const params = client.callbackParams(req);
    if (params.error) {
      return self.fail({ message: params.error_description ?? `The identity provider answered ${params.error}.` });
    }
    if (!params.code) {
      const verifier = generators.codeVerifier();
      const nonce = generators.nonce();
      const state = await store.issue(req, { verifier, nonce });
      return self.redirect(
        client.authorizationUrl({
          scope: config.scopes.join(' '),
          redirect_uri: callbackURL,
          state,
          nonce,
          code_challenge: generators.codeChallenge(verifier),
          code_challenge_method: 'S256',
        }),
      );
    }
    const check = await store.consume(req, params.state);
    if (!check.ok) return self.fail({ message: check.message }, 403);
    const tokens = await client.callback(callbackURL, params, {
      state: params.state,
      nonce: check.extras.nonce,
      code_verifier: check.extras.verifier,
      response_type: 'code',
    });
    let claims: OidcClaims = tokens.claims();
    if (claims[config.emailClaim] === undefined && tokens.access_token && client.issuer.metadata.userinfo_endpoint) {
      const info = await client.userinfo(tokens);
      // The ID token's subject is the one that counts; userinfo only fills in.
      if (info.sub === claims.sub) claims = { ...info, ...claims };
    }
    this.verify(claims, (err, user, info) => {
      if (err) self.error(err as Error);
      else if (!user) self.fail(info as { message: string });
      else self.success(user, info as object | undefined);
    });
  }

  private discoveredClient(): Promise<BaseClient> {
    this.client ??= Issuer.discover(this.options.config.issuer).then(
      (issuer) =>
        new issuer.Client({
          client_id: this.options.config.clientId,
          client_secret: this.options.config.clientSecret,
          redirect_uris: [this.options.callbackURL],
          response_types: ['code'],
          token_endpoint_auth_method: this.options.config.clientSecret ? 'client_secret_basic' : 'none',
        }),
      (error: unknown) => {
        this.client = undefined;
        throw error;
      },
    );
    return this.client;
  }
}
