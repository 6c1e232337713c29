import { PassportStrategy } from '@nestjs/passport';
import { type Profile, Strategy } from 'passport-google-oauth20';
import type { OAuthClientConfig } from '../../config/app-config';
import type { OAuthStateStore } from './oauth-state.store';
import type { SsoProfile } from './sso-provider';

/** Google: `openid email profile`; the userinfo endpoint's `sub`, `email` and `email_verified`. */
export class GoogleStrategy extends PassportStrategy(Strategy, 'google') {
  constructor(config: OAuthClientConfig, callbackURL: string, store: OAuthStateStore) {
    super({
      clientID: config.clientId,
      clientSecret: config.clientSecret,
      callbackURL,
      authorizationURL: config.authorizeUrl,
      tokenURL: config.tokenUrl,
      userProfileURL: config.apiUrl,
      scope: ['openid', 'email', 'profile'],
      store: store.forPassport(),
    });
    // The access token goes in the Authorization header, not in the userinfo URL's query
    // (passport-google-oauth20's default), where proxies and access logs would keep it.
    (
      this as unknown as { _oauth2: { useAuthorizationHeaderforGET(on: boolean): void } }
    )._oauth2.useAuthorizationHeaderforGET(true);
  }

  validate(_accessToken: string, _refreshToken: string, profile: Profile): SsoProfile {
    const email = profile.emails?.[0] as { value: string; verified?: boolean | string } | undefined;
    return {
      provider: 'google',
      subject: profile.id,
      email: email?.value.toLowerCase(),
      emailVerified: email?.verified === true || email?.verified === 'true',
      name: profile.displayName || undefined,
    };
  }
}
