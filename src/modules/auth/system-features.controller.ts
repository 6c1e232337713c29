import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MailService } from '@keel/mail';
import { AppConfig } from '../../config/app-config';
import { Public } from './public.decorator';

@ApiTags('console: setup')
@Controller('console/api/system-features')
export class SystemFeaturesController {
  constructor(
    private readonly config: AppConfig,
    private readonly mail: MailService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: "Which sign-in methods and features this server offers (Dify's shape)" })
  @ApiResponse({ status: 200, description: 'Feature flags' })
  features() {
    const { sso } = this.config;
    // Keel's addition: the configured SSO providers, for the sign-in page's buttons.
    const ssoProviders = [
      ...(sso.github ? [{ provider: 'github', name: 'GitHub' }] : []),
      ...(sso.google ? [{ provider: 'google', name: 'Google' }] : []),
      ...(sso.oidc ? [{ provider: 'oidc', name: sso.oidc.displayName }] : []),
    ];
    return {
      sso_enforced_for_signin: false,
      sso_enforced_for_signin_protocol: '',
      enable_email_code_login: false,
      enable_email_password_login: this.config.auth.passwordLoginEnabled,
      enable_social_oauth_login: ssoProviders.length > 0,
      sso_providers: ssoProviders,
      is_allow_register: sso.allowRegister,
      is_allow_create_workspace: sso.allowCreateWorkspace,
      is_email_setup: this.mail.driver !== 'log',
      enable_marketplace: false,
      license: { status: 'none', expired_at: '' },
    };
  }
}
