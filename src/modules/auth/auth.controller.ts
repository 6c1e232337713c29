import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditLogService } from '../audit/audit-log.service';
import { LoginDto, LogoutDto, RefreshTokenDto } from './auth.dto';
import { invalidParamFrom } from '../../common/validation/request-validation.pipe';
import type { ConsoleRequest } from './console-caller';
import { LoginService } from './login.service';
import { Public } from './public.decorator';
import { ReqMeta, type RequestMeta } from './request-meta';
import { SessionCookies } from './session-cookies';
import { SessionService } from './session.service';
import { UnauthorizedException } from './auth.exceptions';

@ApiTags('console: auth')
@Controller('console/api')
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    private readonly audit: AuditLogService,
    private readonly cookies: SessionCookies,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Password login: an access token (JWT) and a refresh token' })
  @ApiResponse({ status: 200, description: '{result: "success", data: {access_token, refresh_token}}' })
  @ApiResponse({ status: 401, description: 'Wrong email or password (authentication_failed)' })
  @ApiResponse({ status: 429, description: 'Too many failed attempts (Retry-After says how long to wait)' })
  async signIn(@Body() body: LoginDto, @ReqMeta() meta: RequestMeta) {
    return { result: 'success', data: await this.login.login(body.email, body.password, meta) };
  }

  @Post('refresh-token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade a refresh token for a new pair; the presented one stops working',
    description:
      'With `refresh_token` in the body the new pair comes back in the body. Without it, the `refresh_token` ' +
      'cookie of an SSO session is used (with `X-CSRF-Token`) and the new pair is set as cookies.',
  })
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiHeader({ name: 'X-CSRF-Token', required: false, description: 'Cookie sessions: the csrf_token cookie' })
  @ApiResponse({
    status: 200,
    description: '{result: "success", data: {access_token, refresh_token}} or, by cookie, {result: "success"}',
  })
  @ApiResponse({ status: 401, description: 'Unknown, expired, revoked or already used refresh token' })
  async refresh(@Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    // The body is optional (cookie sessions send none), so it is validated here, not by the pipe.
    const parsed = LogoutDto.schema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidParamFrom(parsed.error);
    if (parsed.data.refresh_token) {
      return { result: 'success', data: await this.sessions.refresh(parsed.data.refresh_token) };
    }
    const cookie = this.cookies.refreshToken(req);
    if (!cookie) {
      // Neither in the body nor as a cookie: the body's error (refresh_token is required).
      const strict = RefreshTokenDto.schema.safeParse(req.body ?? {});
      throw strict.success
        ? new UnauthorizedException('Invalid or expired refresh token.')
        : invalidParamFrom(strict.error);
    }
    if (!this.cookies.csrfValid(req)) throw new UnauthorizedException('CSRF token missing or invalid.');
    try {
      this.cookies.set(res, await this.sessions.refresh(cookie));
    } catch (error) {
      this.cookies.clear(res);
      throw error;
    }
    return { result: 'success' };
  }

  @Post('logout')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'End the session of the given refresh token',
    description: 'Without a body, the session of the cookies (with `X-CSRF-Token`); the cookies are cleared.',
  })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  async logout(@Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response, @ReqMeta() meta: RequestMeta) {
    // The body is optional (Dify's clients send none), so it is validated here, not by the pipe.
    const parsed = LogoutDto.schema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidParamFrom(parsed.error);
    const cookie = this.cookies.csrfValid(req) ? this.cookies.refreshToken(req) : undefined;
    const refreshToken = parsed.data.refresh_token ?? cookie;
    const ended = refreshToken ? await this.sessions.end(refreshToken) : undefined;
    this.cookies.clear(res);
    const caller = req.consoleCaller;
    if (caller || ended) {
      await this.audit.record({
        action: 'account.logout',
        workspaceId: caller?.workspaceId,
        actorId: caller?.account.id ?? ended,
        actorEmail: caller?.account.email,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
    }
    return { result: 'success' };
  }
}
