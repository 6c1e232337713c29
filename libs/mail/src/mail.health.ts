import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { createTransport } from 'nodemailer';
import { MAIL_MODULE_OPTIONS } from './mail.module-definition';
import type { MailModuleOptions } from './mail.options';
import { transportOptions } from './drivers/transport-options';

const CACHE_MS = 30_000;

/**
 * Informational: mail being down must not take replicas out of service. Verifying opens an SMTP
 * session (connect, EHLO, AUTH), so a result is reused for 30 s rather than redone per probe.
 */
@Injectable()
export class MailHealthIndicator {
  private last?: { at: number; error?: string };

  constructor(
    @Inject(MAIL_MODULE_OPTIONS) private readonly options: MailModuleOptions,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    const driver = this.options.driver;
    if (driver === 'log') return indicator.up({ driver, message: 'messages are logged, not sent' });
    if (!this.last || Date.now() - this.last.at > CACHE_MS) this.last = { at: Date.now(), error: await this.verify() };
    return this.last.error ? indicator.down({ driver, message: this.last.error }) : indicator.up({ driver });
  }

  private async verify(): Promise<string | undefined> {
    const transport = createTransport(transportOptions(this.options));
    try {
      await transport.verify();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      transport.close();
    }
  }
}
