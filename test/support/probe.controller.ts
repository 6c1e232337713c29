import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Module,
  Post,
  UnauthorizedException,
  type DynamicModule,
} from '@nestjs/common';
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
}

export function appWithProbe(appModule: DynamicModule): DynamicModule {
  @Module({ imports: [appModule], controllers: [ProbeController] })
  class ProbeRootModule {}
  return { module: ProbeRootModule };
}
