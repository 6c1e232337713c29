import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ErrorReporter } from './error-reporter.service';
import { SentryHealthIndicator } from './sentry.health';
import { SentryConfigurableModule } from './sentry.module-definition';

/** Error reporting to Sentry; the client itself is initialised by `instrument.ts`. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [ErrorReporter, SentryHealthIndicator],
  exports: [ErrorReporter, SentryHealthIndicator],
})
export class SentryModule extends SentryConfigurableModule {}
