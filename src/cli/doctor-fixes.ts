/** What to do when a check fails, by indicator: the variables that govern it. */
export const FIXES: Record<string, string> = {
  config: 'set the variables named above in the environment or .env (see .env.example)',
  database:
    'check DATABASE_URL (or DB_TYPE/DB_HOST/DB_PORT/DB_USERNAME/DB_PASSWORD/DB_DATABASE) and that the server is reachable',
  redis: 'check REDIS_URL (or the REDIS_SENTINEL_*/REDIS_CLUSTER_* settings) and that Redis is running',
  cache: 'the cache follows CACHE_DRIVER: fix Redis, or set CACHE_DRIVER=memory',
  queue: 'the queue follows QUEUE_DRIVER: fix Redis, or set QUEUE_DRIVER=inline for a single process',
  storage: 'check STORAGE_DRIVER and its settings (bucket or container, endpoint, credentials) and that they may write',
  mail: 'check MAIL_DRIVER and its settings (SMTP_HOST/SMTP_PORT/SMTP_USER/SMTP_PASSWORD or SENDGRID_API_KEY)',
  sentry: 'check SENTRY_DSN',
  otel: 'check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector is reachable',
  'secret-key':
    'run with the SECRET_KEY they were saved under (a key is changed with keel rotate-secret-key, never by editing it)',
  provider: "update the provider's credentials in the console (Settings → Model providers)",
};

export const fixFor = (key: string) => FIXES[key] ?? 'see the README section for this setting';
