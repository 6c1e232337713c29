import { PassportStrategy } from '@nestjs/passport';
import { type Profile, Strategy } from 'passport-github2';
import type { OAuthClientConfig } from '../../config/app-config';
import type { OAuthStateStore } from './oauth-state.store';
import type { SsoProfile } from './sso-provider';

interface GithubEmail {
  value: string;
  primary?: boolean;
  verified?: boolean;
}

/**
 * GitHub and GitHub Enterprise Server (same flow on other hosts): `user:email` scope, the primary
 * verified address from `/user/emails`; without one, GitHub's no-reply address
 * `{id}+{login}@users.noreply.github.com`, which only this GitHub user can have.
 */
export class GithubStrategy extends PassportStrategy(Strategy, 'github') {
  constructor(config: OAuthClientConfig, callbackURL: string, store: OAuthStateStore) {
    super({
      clientID: config.clientId,
      clientSecret: config.clientSecret,
      callbackURL,
      authorizationURL: config.authorizeUrl,
      tokenURL: config.tokenUrl,
      userProfileURL: `${config.apiUrl}/user`,
      userEmailURL: `${config.apiUrl}/user/emails`,
      scope: ['user:email'],
      allRawEmails: true,
      userAgent: 'Keel',
      store: store.forPassport(),
    });
  }

  validate(_accessToken: string, _refreshToken: string, profile: Profile): SsoProfile {
    const json = (profile as Profile & { _json?: { id?: number | string; login?: string; name?: string } })._json ?? {};
    const id = String(json.id ?? profile.id);
    const login = json.login ?? profile.username ?? id;
    const primary = ((profile.emails ?? []) as GithubEmail[]).find((e) => e.primary && e.verified);
    return {
      provider: 'github',
      subject: id,
      email: (primary?.value ?? `${id}+${login}@users.noreply.github.com`).toLowerCase(),
      emailVerified: true,
      name: json.name || login,
    };
  }
}
