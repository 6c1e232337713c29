import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service';
import { LoginDto, LogoutDto, RefreshTokenDto } from './auth.dto';
import { invalidParamFrom } from '../../common/validation/request-validation.pipe';
import type { ConsoleRequest } from './console-caller';
import { LoginService } from './login.service';
import { Public } from './public.decorator';
import { ReqMeta, type RequestMeta } from './request-meta';
import { SessionService } from './session.service';

@ApiTags('console: auth')
@Controller('console/api')
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    private readonly audit: AuditLogService,
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
  @ApiOperation({ summary: 'Trade a refresh token for a new pair; the presented one stops working' })
  @ApiResponse({ status: 200, description: '{result: "success", data: {access_token, refresh_token}}' })
  @ApiResponse({ status: 401, description: 'Unknown, expired, revoked or already used refresh token' })
  async refresh(@Body() body: RefreshTokenDto) {
    return { result: 'success', data: await this.sessions.refresh(body.refresh_token) };
  }

  @Post('logout')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'End the session of the given refresh token' })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  async logout(@Req() req: ConsoleRequest, @ReqMeta() meta: RequestMeta) {
    // The body is optional (Dify's clients send none), so it is validated here, not by the pipe.
    const parsed = LogoutDto.schema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidParamFrom(parsed.error);
    const body = parsed.data;
    const ended = body?.refresh_token ? await this.sessions.end(body.refresh_token) : undefined;
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
