import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import passport, { type Strategy } from 'passport';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { Public } from '../auth/public.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { SessionCookies } from '../auth/session-cookies';
import { SsoLoginService } from './sso-login.service';
import type { SsoProfile, SsoProvider } from './sso-provider';
import { SsoStrategies } from './sso-strategies';

type Outcome =
  | { kind: 'responded' }
  | { kind: 'success'; profile: SsoProfile }
  | { kind: 'failed'; message: string }
  | { kind: 'error'; error: unknown };

const PROVIDER_PARAM = { name: 'provider', enum: ['github', 'google', 'oidc'] };

/**
 * Dify's console OAuth routes. `login` sends the browser to the provider (302 with client_id,
 * redirect_uri, scope and a browser-bound state); the provider sends it back to `authorize`, which
 * signs the person in and redirects to CONSOLE_WEB_URL with the session in cookies — or to
 * CONSOLE_WEB_URL/signin?message=… saying what went wrong.
 */
@ApiTags('console: auth')
@Controller('console/api/oauth')
export class OAuthController {
  private readonly logger = new Logger(OAuthController.name);

  constructor(
    private readonly config: AppConfig,
    private readonly strategies: SsoStrategies,
    private readonly sso: SsoLoginService,
    private readonly cookies: SessionCookies,
  ) {}

  @Get('login/:provider')
  @Public()
  @ApiOperation({ summary: 'Start an SSO sign-in: 302 to the provider' })
  @ApiParam(PROVIDER_PARAM)
  @ApiResponse({ status: 302, description: 'To the provider (client_id, redirect_uri, scope, state)' })
  @ApiResponse({ status: 400, description: 'The provider is not configured (oauth_provider_not_configured)' })
  @ApiResponse({ status: 404, description: 'No such provider (not_found)' })
  async login(@Param('provider') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { provider, strategy } = this.strategies.require(name);
    if (req.query.code || req.query.error) {
      // A provider's answer belongs to the callback route, never to this one.
      return this.toSignin(res, 'Unexpected sign-in response. Please start the sign-in again.');
    }
    const outcome = await authenticate(strategy, req, res);
    if (outcome.kind === 'responded') return;
    if (outcome.kind === 'success') return this.toSignin(res, 'Please start the sign-in again.');
    this.signinWithError(res, provider, outcome);
  }

  @Get('authorize/:provider')
  @Public()
  @ApiOperation({ summary: "The provider's callback (code, state): signs in, 302 to the console" })
  @ApiParam(PROVIDER_PARAM)
  @ApiResponse({
    status: 302,
    description:
      'To CONSOLE_WEB_URL with access_token, refresh_token (HttpOnly) and csrf_token cookies; on failure to CONSOLE_WEB_URL/signin?message=…',
  })
  @ApiResponse({ status: 400, description: 'The provider is not configured (oauth_provider_not_configured)' })
  @ApiResponse({ status: 404, description: 'No such provider (not_found)' })
  async authorize(
    @Param('provider') name: string,
    @Req() req: Request,
    @Res() res: Response,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    const { provider, strategy } = this.strategies.require(name);
    if (req.query.error) {
      // A fixed message: the query's error_description is anyone's text, not the provider's.
      return this.toSignin(res, `Sign-in with ${this.strategies.label(provider)} was cancelled or refused.`);
    }
    if (!req.query.code) {
      return this.toSignin(res, 'The sign-in response carries no authorization code. Please start the sign-in again.');
    }
    const outcome = await authenticate(strategy, req, res);
    if (outcome.kind === 'responded') return;
    if (outcome.kind !== 'success') return this.signinWithError(res, provider, outcome);
    try {
      const { pair } = await this.sso.signIn(outcome.profile, this.strategies.label(provider), meta);
      this.cookies.set(res, pair);
      res.redirect(302, this.config.consoleWebUrl);
    } catch (error) {
      this.signinWithError(res, provider, { kind: 'error', error });
    }
  }

  private signinWithError(
    res: Response,
    provider: SsoProvider,
    outcome: Exclude<Outcome, { kind: 'responded' | 'success' }>,
  ): void {
    if (outcome.kind === 'failed') return this.toSignin(res, outcome.message);
    const { error } = outcome;
    if (error instanceof ApiException && error.getStatus() < 500) return this.toSignin(res, error.message);
    // Provider unreachable, token exchange refused, ID token invalid…: the detail goes to the log only.
    // The message only: provider errors can carry tokens (openid-client attaches the ID token).
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.logger.warn({ provider, reason }, 'SSO sign-in failed');
    this.toSignin(res, `Sign-in with ${this.strategies.label(provider)} failed. Please try again.`);
  }

  private toSignin(res: Response, message: string): void {
    res.redirect(302, `${this.config.consoleWebUrl}/signin?${new URLSearchParams({ message }).toString()}`);
  }
}

/**
 * Runs a passport strategy instance on this request without a session. Resolves with what the
 * strategy decided, or `responded` when it answered itself (the redirect to the provider).
 */
function authenticate(strategy: Strategy, req: Request, res: Response): Promise<Outcome> {
  return new Promise((resolve) => {
    const onFinish = () => resolve({ kind: 'responded' });
    res.once('finish', onFinish);
    const settle = (outcome: Outcome) => {
      res.off('finish', onFinish);
      resolve(outcome);
    };
    const middleware = passport.authenticate(
      strategy,
      { session: false },
      (err: unknown, user: SsoProfile | false, info?: { message?: string } | string) => {
        if (err) return settle({ kind: 'error', error: err });
        if (!user) {
          const message = typeof info === 'string' ? info : info?.message;
          return settle({ kind: 'failed', message: message || 'Sign-in was cancelled or refused by the provider.' });
        }
        settle({ kind: 'success', profile: user });
      },
    ) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
    middleware(req, res, (err?: unknown) => settle({ kind: 'error', error: err }));
  });
}
