import { PassportStrategy } from '@nestjs/passport';
import type { OidcClientConfig } from '../../config/app-config';
import type { OAuthStateStore } from './oauth-state.store';
import { type OidcClaims, OpenIdConnectPassport } from './openid-connect.passport';
import type { SsoProfile } from './sso-provider';

/**
 * Any OpenID Connect provider (Keycloak, Okta, Entra ID, ADFS, Authentik…). The email comes from
 * OIDC_EMAIL_CLAIM; it counts as verified unless the provider says `email_verified: false` —
 * the operator chose this provider, and many (Entra ID, ADFS) never send the claim.
 */
export class OidcStrategy extends PassportStrategy(OpenIdConnectPassport, 'oidc') {
  constructor(
    private readonly config: OidcClientConfig,
    callbackURL: string,
    store: OAuthStateStore,
  ) {
    super({ config, callbackURL, store });
  }

  validate(claims: OidcClaims): SsoProfile {
    const email = claims[this.config.emailClaim];
    const name = claims.name ?? claims.preferred_username;
    return {
      provider: 'oidc',
      subject: claims.sub,
      email: typeof email === 'string' && email.includes('@') ? email.trim().toLowerCase() : undefined,
      emailVerified: claims.email_verified !== false && (claims.email_verified as unknown) !== 'false',
      name: typeof name === 'string' && name.trim() ? name.trim() : undefined,
    };
  }
}
