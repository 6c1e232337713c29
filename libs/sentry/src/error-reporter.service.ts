import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type * as SentrySdk from '@sentry/nestjs';
import { SENTRY_MODULE_OPTIONS } from './sentry.module-definition';
import type { SentryModuleOptions } from './sentry.options';

/** What identifies the request a server error happened in; becomes Sentry tags. */
export interface ServerErrorTags {
  route: string;
  method: string;
  requestId?: string;
  workspaceId?: string;
  appId?: string;
}

const FLUSH_TIMEOUT_MS = 2_000;

/** Reports server errors (5xx) to Sentry when it is configured; a no-op otherwise. */
@Injectable()
export class ErrorReporter implements OnApplicationShutdown {
  // Loaded only when Sentry is configured: the SDK is a few hundred modules.
  private readonly sentry?: typeof SentrySdk;

  constructor(@Inject(SENTRY_MODULE_OPTIONS) private readonly options: SentryModuleOptions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy loading
    if (options.driver === 'sentry') this.sentry = require('@sentry/nestjs') as typeof SentrySdk;
  }

  get enabled(): boolean {
    return this.options.driver === 'sentry';
  }

  captureServerError(error: unknown, tags: ServerErrorTags): void {
    const Sentry = this.sentry;
    if (!Sentry) return;
    const definedTags: Record<string, string> = {};
    for (const [key, value] of Object.entries({
      route: tags.route,
      method: tags.method,
      request_id: tags.requestId,
      workspace_id: tags.workspaceId,
      app_id: tags.appId,
    })) {
      if (value) definedTags[key] = value;
    }
    Sentry.withScope((scope) => {
      scope.setTags(definedTags);
      scope.setTransactionName(`${tags.method} ${tags.route}`);
      Sentry.captureException(error);
    });
  }

  /** Delivers what is queued before the process exits. */
  async onApplicationShutdown(): Promise<void> {
    await this.sentry?.close(FLUSH_TIMEOUT_MS);
  }
}
