import { Injectable, Logger } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { AppConfig } from '../../config/app-config';
import { GracefulShutdownService } from '../../common/lifecycle/graceful-shutdown.service';
import { HealthCheckRegistry, type RegisteredCheck } from './health-check.registry';

type Detail = { status: 'up' | 'down'; [key: string]: unknown };

/** Terminus's response shape, so existing probes and dashboards read it unchanged. */
export interface HealthReport {
  status: 'ok' | 'error';
  info: Record<string, Detail>;
  error: Record<string, Detail>;
  details: Record<string, Detail>;
}

export interface HealthOutcome {
  httpStatus: 200 | 503;
  report: HealthReport;
}

@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: HealthCheckRegistry,
    private readonly shutdown: GracefulShutdownService,
    private readonly config: AppConfig,
  ) {}

  /** The process answers: nothing else is consulted (a liveness probe must not cascade). */
  live(): HealthOutcome {
    const process = { status: 'up' as const, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
    return { httpStatus: 200, report: { status: 'ok', info: { process }, error: {}, details: { process } } };
  }

  async ready(): Promise<HealthOutcome> {
    const results = await Promise.all((await this.registry.all()).map((check) => this.runBounded(check)));
    const report = emptyReport();
    let failed = false;
    if (this.shutdown.isDraining) {
      record(report, 'shutdown', { status: 'down', message: 'shutting down' });
      failed = true;
    }
    for (const { check, detail } of results) {
      record(report, check.key, detail);
      if (detail.status === 'down' && check.critical) failed = true;
    }
    if (failed) {
      report.status = 'error';
      this.logger.warn({ error: report.error }, 'not ready');
    }
    return { httpStatus: failed ? 503 : 200, report };
  }

  /** One indicator by key; `undefined` when no such indicator is registered. */
  async one(key: string): Promise<HealthOutcome | undefined> {
    const check = await this.registry.find(key);
    if (!check) return undefined;
    const { detail } = await this.runBounded(check);
    const report = emptyReport();
    record(report, key, detail);
    if (detail.status === 'down') report.status = 'error';
    return { httpStatus: detail.status === 'up' ? 200 : 503, report };
  }

  private async runBounded(check: RegisteredCheck): Promise<{ check: RegisteredCheck; detail: Detail }> {
    const timeoutMs = this.config.health.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthIndicatorResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ [check.key]: { status: 'down', message: `timeout of ${timeoutMs}ms exceeded` } }),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([check.run(), timeout]);
      return { check, detail: result[check.key] as Detail };
    } catch (error) {
      return { check, detail: { status: 'down', message: error instanceof Error ? error.message : String(error) } };
    } finally {
      clearTimeout(timer);
    }
  }
}

function record(report: HealthReport, key: string, detail: Detail): void {
  report.details[key] = detail;
  if (detail.status === 'up') report.info[key] = detail;
  else report.error[key] = detail;
}

function emptyReport(): HealthReport {
  return { status: 'ok', info: {}, error: {}, details: {} };
}
