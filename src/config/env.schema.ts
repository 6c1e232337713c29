import { z } from 'zod';

/**
 * Every environment variable Keel reads, validated in one pass at boot. Later features add their
 * variables here so that one failed boot lists every problem at once. `.env.example` documents each.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
const DB_TYPES = ['sqlite', 'postgres', 'mysql', 'mariadb'] as const;

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, { error: `must be an integer, e.g. ${name}=${Math.max(min, 1)}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be between ${min} and ${max}` })
    .meta({ format: `integer, ${min}–${max}` });

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    error: 'must be true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
  .meta({ format: 'boolean (true/false, 1/0, yes/no, on/off)' });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }))
    .meta({ format: values.join(' | ') });

const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, { error: 'must be a size such as 1mb, 512kb or 1048576' })
  .meta({ format: 'size (b, kb, mb, gb)' });

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { error: 'must be an http(s) URL, e.g. https://keel.example.com' })
  .meta({ format: 'http(s) URL' });

const originList = z
  .string()
  .trim()
  .refine(
    (v) =>
      v === '*' ||
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
        .every((o) => /^https?:\/\/[^\s/]+$/.test(o)),
    { error: 'must be * or a comma-separated list of origins such as https://console.example.com' },
  )
  .meta({ format: 'origins, comma-separated, or *' });

const hostList = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => v.split(',').every((h) => /^[^\s:,]+:\d{1,5}$/.test(h.trim())), {
      error: `must be a comma-separated list of host:port, e.g. ${name}=10.0.0.1:26379,10.0.0.2:26379`,
    })
    .meta({ format: 'host:port list, comma-separated' });

const ratio = z
  .string()
  .trim()
  .regex(/^(0(\.\d+)?|1(\.0+)?)$/, { error: 'must be a number between 0 and 1, e.g. 0.1' })
  .transform(Number)
  .meta({ format: 'number, 0–1' });

// The W3C baggage-style lists OpenTelemetry uses: key=value pairs, comma-separated, values URL-encoded.
const keyValueList = (name: string, example: string) =>
  z
    .string()
    .trim()
    .refine((v) => v.split(',').every((pair) => /^\s*[^=,\s]+\s*=[^,]*$/.test(pair)), {
      error: `must be a comma-separated list of key=value pairs, e.g. ${name}=${example}`,
    })
    .meta({ format: 'key=value list, comma-separated' });

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export const envSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test'] as const).default('development'),

  // server
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: integer('PORT', 1, 65535).default(5001),
  HTTP_BODY_LIMIT: byteSize.default('1mb'),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000).default(10_000),
  TRUST_PROXY: z.string().trim().default('false'),
  DOCS_ENABLED: boolean.default(true),
  CONSOLE_CORS_ORIGINS: originList.default(''),
  SERVICE_API_CORS_ORIGINS: originList.default('*'),
  HEALTH_CHECK_TIMEOUT_MS: integer('HEALTH_CHECK_TIMEOUT_MS', 100, 60_000).default(3_000),

  // logging
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  LOG_FORMAT: oneOf(['json', 'pretty'] as const).optional(),

  // storage of local state (SQLite file, generated secret key, local object storage)
  DATA_DIR: z.string().trim().min(1).default('./data'),

  // security
  SECRET_KEY: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),

  // database
  DB_TYPE: oneOf(DB_TYPES).optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^(postgres(ql)?|mysql|mariadb|sqlite):/i.test(v), {
      error: 'must start with postgres://, postgresql://, mysql://, mariadb:// or sqlite:',
    })
    .optional(),
  DB_HOST: z.string().trim().min(1).optional(),
  DB_PORT: integer('DB_PORT', 1, 65535).optional(),
  DB_USERNAME: z.string().optional(),
  DB_PASSWORD: z.string().optional(),
  DB_DATABASE: z.string().trim().min(1).optional(),
  DB_SSL: boolean.default(false),
  DB_POOL_SIZE: integer('DB_POOL_SIZE', 1, 1000).default(10),
  DB_CONNECT_TIMEOUT_MS: integer('DB_CONNECT_TIMEOUT_MS', 100, 600_000).default(10_000),
  DB_STATEMENT_TIMEOUT_MS: integer('DB_STATEMENT_TIMEOUT_MS', 0, 86_400_000).default(30_000),
  DB_SQLITE_BUSY_TIMEOUT_MS: integer('DB_SQLITE_BUSY_TIMEOUT_MS', 0, 600_000).default(5_000),
  DB_CONNECT_RETRIES: integer('DB_CONNECT_RETRIES', 0, 100).default(5),
  DB_CONNECT_RETRY_DELAY_MS: integer('DB_CONNECT_RETRY_DELAY_MS', 0, 60_000).default(2_000),
  DB_MIGRATIONS_RUN: boolean.default(true),
  DB_LOG_QUERIES: boolean.default(false),

  // redis (absent = not used; features fall back to in-process drivers)
  REDIS_URL: z
    .string()
    .trim()
    .refine((v) => /^rediss?:\/\//i.test(v), { error: 'must start with redis:// or rediss://' })
    .optional(),
  REDIS_MODE: oneOf(['single', 'sentinel', 'cluster'] as const).default('single'),
  REDIS_HOST: z.string().trim().min(1).optional(),
  REDIS_PORT: integer('REDIS_PORT', 1, 65535).default(6379),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_DB: integer('REDIS_DB', 0, 255).default(0),
  REDIS_TLS: boolean.default(false),
  REDIS_SENTINELS: hostList('REDIS_SENTINELS').optional(),
  REDIS_SENTINEL_NAME: z.string().trim().min(1).default('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_CLUSTER_NODES: hostList('REDIS_CLUSTER_NODES').optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { error: 'must be 1-64 characters of letters, digits, : _ . -' })
    .default('keel:'),
  REDIS_CONNECT_TIMEOUT_MS: integer('REDIS_CONNECT_TIMEOUT_MS', 100, 120_000).default(5_000),

  // cache
  CACHE_DRIVER: oneOf(['memory', 'redis'] as const).optional(),
  CACHE_TTL_MS: integer('CACHE_TTL_MS', 1, 604_800_000).default(300_000),
  CACHE_MAX_ITEMS: integer('CACHE_MAX_ITEMS', 1, 10_000_000).default(10_000),

  // queue
  QUEUE_DRIVER: oneOf(['inline', 'bull'] as const).optional(),
  QUEUE_WORKER_IN_API: boolean.default(true),
  WORKER_HEALTH_PORT: integer('WORKER_HEALTH_PORT', 1, 65535).default(5002),
  QUEUE_JOB_ATTEMPTS: integer('QUEUE_JOB_ATTEMPTS', 1, 100).default(3),
  QUEUE_JOB_BACKOFF_MS: integer('QUEUE_JOB_BACKOFF_MS', 0, 3_600_000).default(1_000),
  QUEUE_JOB_TIMEOUT_MS: integer('QUEUE_JOB_TIMEOUT_MS', 100, 86_400_000).default(300_000),
  QUEUE_KEEP_COMPLETED: integer('QUEUE_KEEP_COMPLETED', 0, 1_000_000).default(1_000),
  QUEUE_KEEP_FAILED: integer('QUEUE_KEEP_FAILED', 0, 1_000_000).default(5_000),

  // object storage
  STORAGE_DRIVER: oneOf(['local', 's3', 'azure-blob', 'gcs'] as const).default('local'),
  STORAGE_LOCAL_ROOT: z.string().trim().min(1).optional(),
  FILES_URL: httpUrl.optional(),
  S3_BUCKET: z.string().trim().min(1).optional(),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_ENDPOINT: httpUrl.optional(),
  S3_FORCE_PATH_STYLE: boolean.optional(),
  S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  S3_SESSION_TOKEN: z.string().trim().min(1).optional(),
  S3_CHECKSUMS: oneOf(['when_required', 'when_supported'] as const).optional(),
  AZURE_BLOB_CONNECTION_STRING: z.string().trim().min(1).optional(),
  AZURE_BLOB_ACCOUNT_NAME: z.string().trim().min(1).optional(),
  AZURE_BLOB_ACCOUNT_KEY: z.string().trim().min(1).optional(),
  AZURE_BLOB_SAS_TOKEN: z.string().trim().min(1).optional(),
  AZURE_BLOB_ENDPOINT: httpUrl.optional(),
  AZURE_BLOB_CONTAINER: z.string().trim().min(3).default('keel'),
  GCS_BUCKET: z.string().trim().min(1).optional(),
  GCS_PROJECT_ID: z.string().trim().min(1).optional(),
  GCS_CREDENTIALS_JSON: z.string().trim().min(1).optional(),
  GCS_KEY_FILE: z.string().trim().min(1).optional(),
  GCS_API_ENDPOINT: httpUrl.optional(),

  // mail
  MAIL_DRIVER: oneOf(['log', 'smtp', 'sendgrid'] as const).default('log'),
  MAIL_FROM: z.string().trim().min(3).default('Keel <no-reply@keel.localhost>'),
  MAIL_ATTEMPTS: integer('MAIL_ATTEMPTS', 1, 50).default(5),
  MAIL_RETRY_BACKOFF_MS: integer('MAIL_RETRY_BACKOFF_MS', 0, 3_600_000).default(30_000),
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: integer('SMTP_PORT', 1, 65535).default(587),
  SMTP_SECURE: boolean.default(false),
  SMTP_REQUIRE_TLS: boolean.default(false),
  SMTP_USERNAME: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_ALLOW_INVALID_CERTS: boolean.default(false),
  SENDGRID_API_KEY: z.string().trim().min(1).optional(),
  SENDGRID_SMTP_HOST: z.string().trim().min(1).default('smtp.sendgrid.net'),
  SENDGRID_SMTP_PORT: integer('SENDGRID_SMTP_PORT', 1, 65535).default(587),
  // Where people use the console (links in e-mails point there). Default: CONSOLE_API_URL.
  CONSOLE_WEB_URL: httpUrl.optional(),

  // console accounts: setup, password login, tokens
  INIT_PASSWORD: z.string().min(1).max(30, { error: 'must be at most 30 characters' }).optional(),
  ENABLE_PASSWORD_LOGIN: boolean.default(true),
  LOGIN_MAX_ATTEMPTS: integer('LOGIN_MAX_ATTEMPTS', 1, 1000).default(5),
  ACCESS_TOKEN_EXPIRE_MINUTES: integer('ACCESS_TOKEN_EXPIRE_MINUTES', 1, 1440).default(60),
  REFRESH_TOKEN_EXPIRE_DAYS: integer('REFRESH_TOKEN_EXPIRE_DAYS', 1, 365).default(30),
  INVITE_EXPIRY_HOURS: integer('INVITE_EXPIRY_HOURS', 1, 720).default(72),
  RESET_PASSWORD_TOKEN_EXPIRY_MINUTES: integer('RESET_PASSWORD_TOKEN_EXPIRY_MINUTES', 1, 1440).default(5),

  // console SSO (each provider is on when its client id and secret are set) and sign-up rules
  CONSOLE_API_URL: httpUrl.optional(),
  GITHUB_CLIENT_ID: z.string().trim().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().trim().min(1).optional(),
  GITHUB_AUTHORIZE_URL: httpUrl.optional(),
  GITHUB_TOKEN_URL: httpUrl.optional(),
  GITHUB_API_URL: httpUrl.optional(),
  GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().trim().min(1).optional(),
  GOOGLE_AUTHORIZE_URL: httpUrl.optional(),
  GOOGLE_TOKEN_URL: httpUrl.optional(),
  GOOGLE_USERINFO_URL: httpUrl.optional(),
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().trim().min(1).optional(),
  OIDC_SCOPES: z
    .string()
    .trim()
    .refine((v) => v.split(/[\s,]+/).includes('openid'), { error: 'must include openid, e.g. openid email profile' })
    .default('openid email profile'),
  OIDC_EMAIL_CLAIM: z.string().trim().min(1).max(128).default('email'),
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(64).default('SSO'),
  ALLOW_REGISTER: boolean.default(false),
  ALLOWED_EMAIL_DOMAINS: z
    .string()
    .trim()
    .refine((v) => v.split(',').every((d) => /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(d.trim())), {
      error: 'must be a comma-separated list of domains, e.g. ALLOWED_EMAIL_DOMAINS=example.com,example.org',
    })
    .optional(),
  ALLOW_CREATE_WORKSPACE: boolean.default(false),

  // metrics
  METRICS_ENABLED: boolean.default(true),
  METRICS_PORT: integer('METRICS_PORT', 1, 65535).optional(),
  METRICS_BASIC_AUTH: z
    .string()
    .regex(/^[^:\s]+:\S+$/, { error: 'must be user:password' })
    .optional(),

  // Sentry (off unless SENTRY_DSN is set)
  SENTRY_DSN: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s@/]+@[^\s/]+\/.*\d+$/.test(v), {
      error: 'must be a Sentry DSN such as https://<key>@o0.ingest.sentry.io/<project>',
    })
    .optional(),
  SENTRY_ENVIRONMENT: z.string().trim().min(1).optional(),
  SENTRY_RELEASE: z.string().trim().min(1).optional(),
  SENTRY_TRACES_SAMPLE_RATE: ratio.default(0),

  // OpenTelemetry traces (off unless an OTLP endpoint is set)
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList('OTEL_EXPORTER_OTLP_HEADERS', 'authorization=Bearer%20abc').optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment=prod').optional(),
  OTEL_TRACES_SAMPLER: oneOf(SAMPLERS).default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: ratio.optional(),
  OTEL_BSP_SCHEDULE_DELAY: integer('OTEL_BSP_SCHEDULE_DELAY', 10, 5_000).default(5_000),
  OTEL_BSP_MAX_QUEUE_SIZE: integer('OTEL_BSP_MAX_QUEUE_SIZE', 1, 1_000_000).default(2_048),
  OTEL_BSP_EXPORT_TIMEOUT: integer('OTEL_BSP_EXPORT_TIMEOUT', 100, 120_000).default(10_000),

  // model provider calls
  MODEL_REQUEST_TIMEOUT_MS: integer('MODEL_REQUEST_TIMEOUT_MS', 1_000, 3_600_000).default(300_000),
  MODEL_REQUEST_MAX_RETRIES: integer('MODEL_REQUEST_MAX_RETRIES', 0, 10).default(2),

  // Service API (/v1) runs
  APP_API_RPM: integer('APP_API_RPM', 0, 1_000_000).default(0),
  APP_MAX_ACTIVE_REQUESTS: integer('APP_MAX_ACTIVE_REQUESTS', 0, 100_000).default(0),
  SSE_PING_INTERVAL_MS: integer('SSE_PING_INTERVAL_MS', 100, 300_000).default(10_000),
  CONVERSATION_MEMORY_TOKENS: integer('CONVERSATION_MEMORY_TOKENS', 0, 1_000_000).default(2_000),

  // outbound requests a user or a model steers (tools, schema URLs): the SSRF guard
  // (each SSRF_ALLOWLIST entry is checked by the loader, which names the bad one)
  SSRF_ALLOWLIST: z.string().trim().optional(),
  SSRF_ALLOWLIST_ONLY: boolean.default(false),
  SSRF_MAX_RESPONSE_BYTES: byteSize.default('10mb'),

  // plugins: trusted signing keys (read and checked by the loader), verification policy, limits
  PLUGIN_TRUSTED_KEYS_DIR: z.string().trim().min(1).optional(),
  PLUGIN_TRUSTED_KEYS: z.string().trim().min(1).optional(),
  PLUGIN_FORCE_VERIFY_SIGNATURE: boolean.optional(),
  /** Dify's name for PLUGIN_FORCE_VERIFY_SIGNATURE. */
  FORCE_VERIFYING_SIGNATURE: boolean.optional(),
  PLUGIN_MAX_PACKAGE_SIZE: byteSize.default('50mb'),
  PLUGIN_MAX_UNPACKED_BYTES: byteSize.default('256mb'),
  PLUGIN_MAX_ENTRIES: integer('PLUGIN_MAX_ENTRIES', 1, 1_000_000).default(10_000),
  PLUGIN_WORKING_DIR: z.string().trim().min(1).optional(),
  PLUGIN_START_MODE: oneOf(['lazy', 'boot'] as const).default('lazy'),
  PLUGIN_MAX_EXECUTION_TIMEOUT: integer('PLUGIN_MAX_EXECUTION_TIMEOUT', 1, 86_400).default(600),
  PLUGIN_IDLE_TIMEOUT: integer('PLUGIN_IDLE_TIMEOUT', 0, 604_800).default(900),
  PLUGIN_MAX_QUEUED_CALLS: integer('PLUGIN_MAX_QUEUED_CALLS', 0, 100_000).default(32),
  PLUGIN_HEARTBEAT_INTERVAL_MS: integer('PLUGIN_HEARTBEAT_INTERVAL_MS', 50, 600_000).default(30_000),
});

export type RawEnv = z.output<typeof envSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type TraceSampler = (typeof SAMPLERS)[number];
