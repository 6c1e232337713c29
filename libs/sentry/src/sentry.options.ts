export interface EnabledSentryOptions {
  driver: 'sentry';
  dsn: string;
  environment: string;
  release: string;
  /** 0 turns performance tracing off; errors are always sent. */
  tracesSampleRate: number;
}

export type SentryModuleOptions = { driver: 'off' } | EnabledSentryOptions;
