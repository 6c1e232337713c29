import { Injectable } from '@nestjs/common';
import type { Strategy } from 'passport';
import { SecretKeys } from '../../common/crypto/secret-keys';
import { AppConfig } from '../../config/app-config';
import { AuthStateStore } from '../auth/auth-state.store';
import { GithubStrategy } from './github.strategy';
import { GoogleStrategy } from './google.strategy';
import { OAuthStateStore } from './oauth-state.store';
import { OidcStrategy } from './oidc.strategy';
import { callbackPath, isSsoProvider, type SsoProvider } from './sso-provider';
import { SsoProviderNotConfiguredException, UnknownSsoProviderException } from './sso.exceptions';

const SETTINGS: Record<SsoProvider, { label: string; variables: string }> = {
  github: { label: 'GitHub', variables: 'GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET' },
  google: { label: 'Google', variables: 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET' },
  oidc: { label: 'OIDC', variables: 'OIDC_ISSUER and OIDC_CLIENT_ID' },
};

/**
 * The passport strategies of the providers this server is configured for, each built from its
 * variables alone. The flow runs on these instances (not on passport's global registry by name),
 * so several apps in one process never share a strategy.
 */
@Injectable()
export class SsoStrategies {
  private readonly strategies = new Map<SsoProvider, Strategy>();
  private readonly oidcName?: string;

  constructor(config: AppConfig, keys: SecretKeys, records: AuthStateStore) {
    const { sso } = config;
    this.oidcName = sso.oidc?.displayName;
    const secure = sso.consoleApiUrl.startsWith('https://');
    const store = (p: SsoProvider) => new OAuthStateStore(p, keys.get('oauth-state'), records, secure);
    const callback = (p: SsoProvider) => `${sso.consoleApiUrl}${callbackPath(p)}`;
    if (sso.github) this.strategies.set('github', new GithubStrategy(sso.github, callback('github'), store('github')));
    if (sso.google) this.strategies.set('google', new GoogleStrategy(sso.google, callback('google'), store('google')));
    if (sso.oidc) this.strategies.set('oidc', new OidcStrategy(sso.oidc, callback('oidc'), store('oidc')));
  }

  enabled(): SsoProvider[] {
    return [...this.strategies.keys()];
  }

  /** How the sign-in page names the provider (OIDC: OIDC_DISPLAY_NAME). */
  label(provider: SsoProvider): string {
    return provider === 'oidc' && this.oidcName ? this.oidcName : SETTINGS[provider].label;
  }

  /** 404 for a name that is no provider, 400 for a provider this server is not configured for. */
  require(name: string): { provider: SsoProvider; strategy: Strategy } {
    if (!isSsoProvider(name)) throw new UnknownSsoProviderException();
    const strategy = this.strategies.get(name);
    if (!strategy) throw new SsoProviderNotConfiguredException(SETTINGS[name].label, SETTINGS[name].variables);
    return { provider: name, strategy };
  }
}
