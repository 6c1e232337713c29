import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Module,
  Post,
  Query,
  Req,
  UnauthorizedException,
  type DynamicModule,
} from '@nestjs/common';
import type { Request } from 'express';
import { MailService } from '@keel/mail';
import { setRequestScope } from '../../src/common/http/request-scope';
import { Public } from '../../src/modules/auth/public.decorator';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

class EchoDto extends createZodDto(
  z.object({
    query: z.string().min(1),
    inputs: z.record(z.string(), z.unknown()),
    limit: z.number().int().min(1).max(100).optional(),
  }),
) {}

/**
 * Test-only routes under /v1/__probe that make the real error pipeline produce the cases no
 * product route of this milestone triggers yet (401, 403, 500, a required body). Never part of
 * the application module.
 */
@Controller('v1/__probe')
export class ProbeController {
  constructor(private readonly mail: MailService) {}

  /** Queues a job (a mail) from inside a request, to follow the trace into the worker. */
  @Post('mail')
  @HttpCode(200)
  async queueMail(): Promise<{ id: string }> {
    return { id: await this.mail.send({ to: 'probe@example.com', subject: 'probe', text: 'probe' }) };
  }

  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Post('ping')
  @HttpCode(200)
  ping(): { result: string } {
    return { result: 'success' };
  }

  @Get('unauthorized')
  unauthorized(): never {
    throw new UnauthorizedException('Access token is invalid');
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException();
  }

  @Get('crash')
  crash(): never {
    throw new Error('database password=hunter2 leaked in an internal message');
  }

  /** A 500 inside a request that authentication has tied to a workspace and an app. */
  @Get('crash-scoped')
  crashScoped(@Req() req: Request, @Query('workspace') workspaceId: string, @Query('app') appId: string): never {
    setRequestScope(req, { workspaceId, appId });
    throw new Error('probe failure inside a workspace');
  }

  /** A 500 after a body was read (error reports must not carry its secrets). */
  @Post('crash-body')
  crashBody(@Body() _body: unknown): never {
    throw new Error('probe failure after reading a body');
  }

  /** A rejection nobody handles, raised after the response. */
  @Get('unhandled-rejection')
  unhandledRejection(): { result: string } {
    setImmediate(() => void Promise.reject(new Error('probe unhandled rejection')));
    return { result: 'success' };
  }

  /** An outgoing call (as to a model provider), to see what the callee receives. */
  @Get('fetch')
  async fetchUrl(@Query('url') url: string): Promise<{ status: number }> {
    const response = await fetch(url);
    await response.arrayBuffer();
    return { status: response.status };
  }
}

/**
 * A route on an authentication path, whose body (a password) must never leave the process. Public
 * like the login route it stands for (the console guard would answer 401 first).
 */
@Public()
@Controller('console/api/login/__probe')
export class AuthProbeController {
  @Post()
  crash(@Body() _body: unknown): never {
    throw new Error('probe failure on an authentication route');
  }
}

export function appWithProbe(appModule: DynamicModule): DynamicModule {
  @Module({ imports: [appModule], controllers: [ProbeController, AuthProbeController] })
  class ProbeRootModule {}
  return { module: ProbeRootModule };
}
