export { SentryModule } from './sentry.module';
export { SENTRY_MODULE_OPTIONS } from './sentry.module-definition';
export type { EnabledSentryOptions, SentryModuleOptions } from './sentry.options';
export { ErrorReporter, type ServerErrorTags } from './error-reporter.service';
export { SentryHealthIndicator } from './sentry.health';
export { scrubEvent, scrubValue, FILTERED } from './sentry-event.scrubber';
