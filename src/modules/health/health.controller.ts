import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiException } from '../../common/errors/api.exception';
import { type HealthOutcome, type HealthReport, HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up (no dependency is consulted)' })
  @ApiResponse({ status: 200, description: 'Alive' })
  live(@Res({ passthrough: true }) res: Response): HealthReport {
    return send(res, this.health.live());
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every critical indicator is up (informational ones are only reported)' })
  @ApiResponse({ status: 200, description: 'Ready' })
  @ApiResponse({ status: 503, description: 'A critical indicator is down, or the server is shutting down' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    return send(res, await this.health.ready());
  }

  @Get(':indicator')
  @ApiOperation({ summary: 'One indicator, e.g. database (a plugin: plugin:<author>%2F<name>)' })
  @ApiParam({ name: 'indicator', example: 'database' })
  @ApiResponse({ status: 200, description: 'Up' })
  @ApiResponse({ status: 503, description: 'Down' })
  @ApiResponse({ status: 404, description: 'No such indicator' })
  async one(@Param('indicator') key: string, @Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const outcome = await this.health.one(key);
    if (!outcome) throw new ApiException(404, 'not_found', `No health indicator named "${key}".`);
    return send(res, outcome);
  }
}

function send(res: Response, outcome: HealthOutcome): HealthReport {
  res.status(outcome.httpStatus).setHeader('Cache-Control', 'no-store');
  return outcome.report;
}
