import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { GuardedHttp } from './guarded-http';
import { SsrfGuardedHttp } from './ssrf-guarded.http';

/**
 * Provides `GuardedHttp`, the SSRF guard every user- or model-steered outbound request goes
 * through (custom API tools, schema import from a URL, the built-in HTTP tools). Configured by
 * `SSRF_ALLOWLIST`, `SSRF_ALLOWLIST_ONLY` and `SSRF_MAX_RESPONSE_BYTES`.
 */
@Module({
  providers: [
    {
      provide: GuardedHttp,
      useFactory: (config: AppConfig) =>
        new SsrfGuardedHttp({
          allowlist: config.ssrf.allowlist,
          allowlistOnly: config.ssrf.allowlistOnly,
          maxResponseBytes: config.ssrf.maxResponseBytes,
        }),
      inject: [AppConfig],
    },
  ],
  exports: [GuardedHttp],
})
export class SsrfModule {}
