import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { InitDto, SetupDto } from './auth.dto';
import { Public } from './public.decorator';
import { ReqMeta, type RequestMeta } from './request-meta';
import { INIT_COOKIE, INIT_COOKIE_TTL_MS, SetupService } from './setup.service';

@ApiTags('console: setup')
@Controller('console/api')
export class SetupController {
  constructor(private readonly setups: SetupService) {}

  @Get('setup')
  @Public()
  @ApiOperation({ summary: 'Whether the first-run setup happened' })
  @ApiResponse({ status: 200, description: '{step: "not_started"} or {step: "finished", setup_at}' })
  async status() {
    const at = await this.setups.setupAt();
    return at ? { step: 'finished', setup_at: at.toISOString() } : { step: 'not_started' };
  }

  @Post('setup')
  @Public()
  @ApiOperation({ summary: 'Create the first account (owner) and its workspace; once' })
  @ApiResponse({ status: 201, description: '{result: "success"}' })
  @ApiResponse({ status: 401, description: 'INIT_PASSWORD is set and POST /init was not passed (not_init_validated)' })
  @ApiResponse({ status: 403, description: 'Already set up (already_setup)' })
  async setup(@Body() body: SetupDto, @Req() req: Request, @ReqMeta() meta: RequestMeta) {
    await this.setups.setup(body, cookieOf(req, INIT_COOKIE), meta);
    return { result: 'success' };
  }

  @Get('init')
  @Public()
  @ApiOperation({ summary: 'Whether the init password check is passed (or not needed)' })
  @ApiResponse({ status: 200, description: '{status: "finished" | "not_started"}' })
  async initStatus(@Req() req: Request) {
    return { status: (await this.setups.initValidated(cookieOf(req, INIT_COOKIE))) ? 'finished' : 'not_started' };
  }

  @Post('init')
  @Public()
  @ApiOperation({ summary: 'Check INIT_PASSWORD; lets this browser (cookie) run the setup' })
  @ApiResponse({ status: 201, description: '{result: "success"}' })
  @ApiResponse({ status: 401, description: 'Wrong password (init_validate_failed)' })
  @ApiResponse({ status: 403, description: 'Already set up (already_setup)' })
  async init(
    @Body() body: InitDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @ReqMeta() meta: RequestMeta,
  ) {
    const cookie = await this.setups.validateInit(body.password, meta);
    res.cookie(INIT_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/console/api',
      maxAge: INIT_COOKIE_TTL_MS,
    });
    return { result: 'success' };
  }
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
