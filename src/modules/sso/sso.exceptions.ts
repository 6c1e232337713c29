import { ApiException } from '../../common/errors/api.exception';

export class UnknownSsoProviderException extends ApiException {
  constructor() {
    super(404, 'not_found', 'Unknown sign-in provider. Use github, google or oidc.');
  }
}

export class SsoProviderNotConfiguredException extends ApiException {
  constructor(label: string, variables: string) {
    super(
      400,
      'oauth_provider_not_configured',
      `${label} sign-in is not configured on this server (set ${variables}).`,
    );
  }
}

/** The provider vouched for someone Keel will not sign in; the message is shown on the sign-in page. */
export class SsoRefusedException extends ApiException {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}
