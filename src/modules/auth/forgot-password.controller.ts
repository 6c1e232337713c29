import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ForgotPasswordCheckDto, ForgotPasswordDto, ForgotPasswordResetDto } from './auth.dto';
import { PasswordResetService } from './password-reset.service';
import { Public } from './public.decorator';
import { ReqMeta, type RequestMeta } from './request-meta';

@ApiTags('console: auth')
@Controller('console/api/forgot-password')
export class ForgotPasswordController {
  constructor(private readonly resets: PasswordResetService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Mail a reset code (if the email has an account); answers a token either way' })
  @ApiResponse({ status: 200, description: '{result: "success", data: <token>}' })
  @ApiResponse({ status: 429, description: 'One code per email per minute (password_reset_rate_limit_exceeded)' })
  async start(@Body() body: ForgotPasswordDto) {
    return { result: 'success', data: await this.resets.start(body.email) };
  }

  @Post('validity')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Check the emailed code; answers the token for the reset' })
  @ApiResponse({ status: 200, description: '{is_valid: true, email, token}' })
  @ApiResponse({ status: 400, description: 'invalid_or_expired_token, invalid_email or email_code_error' })
  async check(@Body() body: ForgotPasswordCheckDto) {
    const token = await this.resets.check(body.email, body.code, body.token);
    return { is_valid: true, email: body.email, token };
  }

  @Post('resets')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the new password; every session of the account ends' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  @ApiResponse({ status: 400, description: 'password_mismatch, invalid_or_expired_token or invalid_param' })
  async reset(@Body() body: ForgotPasswordResetDto, @ReqMeta() meta: RequestMeta) {
    await this.resets.reset(body.token, body.new_password, body.password_confirm, meta);
    return { result: 'success' };
  }
}
