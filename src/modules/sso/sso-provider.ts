/** The console's sign-in providers; the path segment of `/console/api/oauth/{login,authorize}/:provider`. */
export const SSO_PROVIDERS = ['github', 'google', 'oidc'] as const;
export type SsoProvider = (typeof SSO_PROVIDERS)[number];

export const isSsoProvider = (value: string): value is SsoProvider =>
  (SSO_PROVIDERS as readonly string[]).includes(value);

/** Who the provider says signed in, in the provider-neutral shape the sign-in service takes. */
export interface SsoProfile {
  provider: SsoProvider;
  /** The provider's stable user id (never the email, which can change). */
  subject: string;
  /** Lower-cased; absent when the provider gave none. */
  email?: string;
  /** Whether the provider vouches for the address (only verified addresses link or register). */
  emailVerified: boolean;
  name?: string;
}

/** The callback path of a provider, relative to CONSOLE_API_URL. */
export const callbackPath = (provider: SsoProvider) => `/console/api/oauth/authorize/${provider}`;
