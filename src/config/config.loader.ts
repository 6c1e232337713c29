import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bytes from 'bytes';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import type { MailModuleOptions } from '@keel/mail';
import { parseTrustedKeys, type TrustedKey } from '@keel/plugin-package';
import type { RedisModuleOptions, RedisNode } from '@keel/redis';
import type { SentryModuleOptions } from '@keel/sentry';
import packageJson from '../../package.json';
import { parseAllowlistEntry } from '../common/ssrf/ssrf-allowlist';
import {
  AppConfig,
  type DatabaseConfig,
  type PluginsConfig,
  type ServerConfig,
  type SsoConfig,
  type SsrfConfig,
  type StorageConfig,
  type TracingConfig,
} from './app-config';
import { ConfigValidationError, type ConfigProblem } from './config-validation.error';
import { envSchema, type RawEnv } from './env.schema';
import { readOrCreateSecretKey } from './secret-key.store';

export interface LoadConfigOptions {
  /** Variables to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** A dotenv file merged under `env` (real variables win); defaults to `.env` in `cwd`. `false` skips it. */
  envFile?: string | false;
  /** Base for relative paths (DATA_DIR, SQLite file); defaults to `process.cwd()`. */
  cwd?: string;
}

/**
 * The plain loader: no Nest, no side effects beyond creating the generated secret key under
 * DATA_DIR. `main.ts` calls it before Nest starts (so a bad environment exits before anything
 * listens); `instrument.ts` can call it too.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = mergeEnvFile(options.env ?? process.env, options.envFile ?? resolve(cwd, '.env'));

  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) throw new ConfigValidationError(problemsFrom(parsed.error));
  const raw = parsed.data;

  const problems: ConfigProblem[] = [];
  const dataDir = resolve(cwd, raw.DATA_DIR);

  if (raw.NODE_ENV === 'production' && !raw.SECRET_KEY) {
    problems.push({
      variable: 'SECRET_KEY',
      message: 'is required when NODE_ENV=production (any string of at least 32 characters)',
    });
  }
  if (raw.CONSOLE_CORS_ORIGINS === '*') {
    problems.push({
      variable: 'CONSOLE_CORS_ORIGINS',
      message: 'must list origins explicitly: the console sends credentials, so * is refused',
    });
  }
  const database = databaseConfigFrom(raw, cwd, dataDir, problems);
  const redis = redisConfigFrom(raw, problems);
  const cacheDriver = raw.CACHE_DRIVER ?? (redis ? 'redis' : 'memory');
  const queueDriver = raw.QUEUE_DRIVER ?? (redis ? 'bull' : 'inline');
  if (cacheDriver === 'redis' && !redis) {
    problems.push({ variable: 'CACHE_DRIVER', message: 'is redis but Redis is not configured (set REDIS_URL)' });
  }
  if (queueDriver === 'bull' && !redis) {
    problems.push({ variable: 'QUEUE_DRIVER', message: 'is bull but Redis is not configured (set REDIS_URL)' });
  }
  if (queueDriver === 'inline' && !raw.QUEUE_WORKER_IN_API) {
    problems.push({
      variable: 'QUEUE_WORKER_IN_API',
      message:
        'cannot be false with the inline queue driver (inline jobs run in the API process); use QUEUE_DRIVER=bull',
    });
  }
  const storage = storageConfigFrom(raw, cwd, dataDir, problems);
  const mail = mailConfigFrom(raw, problems);
  const tracing = tracingConfigFrom(raw, problems);
  const sso = ssoConfigFrom(raw, problems);
  const ssrf = ssrfConfigFrom(raw, problems);
  const plugins = pluginsConfigFrom(raw, cwd, dataDir, problems);
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return new AppConfig({
    env: raw.NODE_ENV,
    dataDir,
    server: serverConfigFrom(raw),
    cors: {
      consoleOrigins: splitList(raw.CONSOLE_CORS_ORIGINS),
      serviceApiOrigins: raw.SERVICE_API_CORS_ORIGINS === '*' ? '*' : splitList(raw.SERVICE_API_CORS_ORIGINS),
    },
    logging: {
      level: raw.LOG_LEVEL,
      format: raw.LOG_FORMAT ?? (raw.NODE_ENV === 'development' ? 'pretty' : 'json'),
    },
    security: raw.SECRET_KEY
      ? { secretKey: raw.SECRET_KEY, secretKeySource: 'env' }
      : { secretKey: readOrCreateSecretKey(dataDir), secretKeySource: 'data-dir' },
    database: database!,
    redis,
    cache: { driver: cacheDriver, defaultTtlMs: raw.CACHE_TTL_MS, maxItems: raw.CACHE_MAX_ITEMS },
    queue: {
      driver: queueDriver,
      workerInApi: raw.QUEUE_WORKER_IN_API,
      workerHealthPort: raw.WORKER_HEALTH_PORT,
      defaults: {
        attempts: raw.QUEUE_JOB_ATTEMPTS,
        backoffMs: raw.QUEUE_JOB_BACKOFF_MS,
        timeoutMs: raw.QUEUE_JOB_TIMEOUT_MS,
        keepCompleted: raw.QUEUE_KEEP_COMPLETED,
        keepFailed: raw.QUEUE_KEEP_FAILED,
      },
    },
    storage: storage!,
    auth: {
      initPassword: raw.INIT_PASSWORD,
      passwordLoginEnabled: raw.ENABLE_PASSWORD_LOGIN,
      loginMaxAttempts: raw.LOGIN_MAX_ATTEMPTS,
      loginAttemptWindowMs: 15 * 60_000,
      accessTokenTtlSeconds: raw.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTokenTtlMs: raw.REFRESH_TOKEN_EXPIRE_DAYS * 86_400_000,
      invitationTtlHours: raw.INVITE_EXPIRY_HOURS,
      passwordResetTtlMinutes: raw.RESET_PASSWORD_TOKEN_EXPIRY_MINUTES,
    },
    mail,
    consoleWebUrl: raw.CONSOLE_WEB_URL?.replace(/\/+$/, '') ?? sso.consoleApiUrl,
    sso,
    metrics: {
      enabled: raw.METRICS_ENABLED,
      port: raw.METRICS_PORT,
      basicAuth: raw.METRICS_BASIC_AUTH
        ? {
            user: raw.METRICS_BASIC_AUTH.slice(0, raw.METRICS_BASIC_AUTH.indexOf(':')),
            password: raw.METRICS_BASIC_AUTH.slice(raw.METRICS_BASIC_AUTH.indexOf(':') + 1),
          }
        : undefined,
    },
    sentry: sentryConfigFrom(raw),
    tracing,
    models: { timeoutMs: raw.MODEL_REQUEST_TIMEOUT_MS, maxRetries: raw.MODEL_REQUEST_MAX_RETRIES },
    serviceApi: {
      rpm: raw.APP_API_RPM,
      maxActiveRequests: raw.APP_MAX_ACTIVE_REQUESTS,
      pingIntervalMs: raw.SSE_PING_INTERVAL_MS,
      memoryTokens: raw.CONVERSATION_MEMORY_TOKENS,
    },
    health: { timeoutMs: raw.HEALTH_CHECK_TIMEOUT_MS },
    ssrf,
    plugins,
    version: packageJson.version,
  });
}

function mergeEnvFile(
  env: Record<string, string | undefined>,
  envFile: string | false,
): Record<string, string | undefined> {
  if (envFile === false || !existsSync(envFile)) return env;
  return { ...parseDotenv(readFileSync(envFile)), ...env };
}

/** `FOO=` in a dotenv file or a compose file means "not set", not "set to the empty string". */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

function problemsFrom(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? '(environment)'),
    message: issue.message,
  }));
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function serverConfigFrom(raw: RawEnv): ServerConfig {
  return {
    host: raw.HOST,
    port: raw.PORT,
    bodyLimitBytes: bytes.parse(raw.HTTP_BODY_LIMIT.replace(/\s+/g, '')) ?? 1_048_576,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    docsEnabled: raw.DOCS_ENABLED,
  };
}

function parseTrustProxy(value: string): boolean | number | string {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

const DEFAULT_PORTS = { postgres: 5432, mysql: 3306 } as const;

function databaseConfigFrom(
  raw: RawEnv,
  cwd: string,
  dataDir: string,
  problems: ConfigProblem[],
): DatabaseConfig | undefined {
  const url = raw.DATABASE_URL ? new URL(raw.DATABASE_URL) : undefined;
  const urlType = url ? normaliseType(url.protocol.replace(/:$/, '')) : undefined;
  const declared = raw.DB_TYPE ? normaliseType(raw.DB_TYPE) : undefined;
  if (declared && urlType && declared !== urlType) {
    problems.push({
      variable: 'DATABASE_URL',
      message: `is a ${urlType} URL but DB_TYPE is ${raw.DB_TYPE}`,
    });
    return undefined;
  }
  const driver = declared ?? urlType ?? 'sqlite';
  const common = {
    connectTimeoutMs: raw.DB_CONNECT_TIMEOUT_MS,
    connectRetries: raw.DB_CONNECT_RETRIES,
    connectRetryDelayMs: raw.DB_CONNECT_RETRY_DELAY_MS,
    migrationsRun: raw.DB_MIGRATIONS_RUN,
    logQueries: raw.DB_LOG_QUERIES,
  };

  if (driver === 'sqlite') {
    // A named file is relative to the working directory; the default lives in DATA_DIR.
    const named = raw.DATABASE_URL
      ? decodeURIComponent(raw.DATABASE_URL.replace(/^sqlite:(\/\/)?/i, ''))
      : raw.DB_DATABASE;
    const path = !named ? resolve(dataDir, 'keel.sqlite') : named === ':memory:' ? named : resolve(cwd, named);
    return { ...common, driver, path, busyTimeoutMs: raw.DB_SQLITE_BUSY_TIMEOUT_MS };
  }

  const database = url ? decodeURIComponent(url.pathname.replace(/^\//, '')) : raw.DB_DATABASE;
  if (!database) {
    problems.push({
      variable: url ? 'DATABASE_URL' : 'DB_DATABASE',
      message: `must name the ${driver} database${url ? ' in its path, e.g. postgres://user@host:5432/keel' : ''}`,
    });
    return undefined;
  }
  const sslMode = url?.searchParams.get('sslmode') ?? url?.searchParams.get('ssl');
  return {
    ...common,
    driver,
    host: url?.hostname || raw.DB_HOST || '127.0.0.1',
    port: url?.port ? Number(url.port) : (raw.DB_PORT ?? DEFAULT_PORTS[driver]),
    username: url?.username ? decodeURIComponent(url.username) : raw.DB_USERNAME,
    password: url?.password ? decodeURIComponent(url.password) : raw.DB_PASSWORD,
    database,
    ssl: sslMode ? !['disable', 'false', '0'].includes(sslMode) : raw.DB_SSL,
    poolSize: raw.DB_POOL_SIZE,
    statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
  };
}

function storageConfigFrom(
  raw: RawEnv,
  cwd: string,
  dataDir: string,
  problems: ConfigProblem[],
): StorageConfig | undefined {
  const require = (variable: keyof RawEnv, value: string | undefined) =>
    required(problems, variable, value, `STORAGE_DRIVER=${raw.STORAGE_DRIVER}`);
  switch (raw.STORAGE_DRIVER) {
    case 'local':
      return {
        driver: 'local',
        root: raw.STORAGE_LOCAL_ROOT ? resolve(cwd, raw.STORAGE_LOCAL_ROOT) : resolve(dataDir, 'storage'),
        publicBaseUrl: raw.FILES_URL ?? `http://localhost:${raw.PORT}`,
      };
    case 's3': {
      const bucket = require('S3_BUCKET', raw.S3_BUCKET);
      if (Boolean(raw.S3_ACCESS_KEY_ID) !== Boolean(raw.S3_SECRET_ACCESS_KEY)) {
        problems.push({ variable: 'S3_SECRET_ACCESS_KEY', message: 'and S3_ACCESS_KEY_ID must be set together' });
      }
      return {
        driver: 's3',
        bucket: bucket ?? '',
        region: raw.S3_REGION,
        endpoint: raw.S3_ENDPOINT,
        // S3-compatible servers usually want path-style addressing; AWS prefers virtual hosts.
        forcePathStyle: raw.S3_FORCE_PATH_STYLE ?? Boolean(raw.S3_ENDPOINT),
        accessKeyId: raw.S3_ACCESS_KEY_ID,
        secretAccessKey: raw.S3_SECRET_ACCESS_KEY,
        sessionToken: raw.S3_SESSION_TOKEN,
        checksums: raw.S3_CHECKSUMS ?? (raw.S3_ENDPOINT ? 'when_required' : 'when_supported'),
      };
    }
    case 'azure-blob': {
      const hasCredentials =
        raw.AZURE_BLOB_CONNECTION_STRING ||
        (raw.AZURE_BLOB_ACCOUNT_NAME && (raw.AZURE_BLOB_ACCOUNT_KEY || raw.AZURE_BLOB_SAS_TOKEN));
      if (!hasCredentials) {
        problems.push({
          variable: 'AZURE_BLOB_CONNECTION_STRING',
          message:
            'or AZURE_BLOB_ACCOUNT_NAME with AZURE_BLOB_ACCOUNT_KEY or AZURE_BLOB_SAS_TOKEN is required when STORAGE_DRIVER=azure-blob',
        });
      }
      return {
        driver: 'azure-blob',
        container: raw.AZURE_BLOB_CONTAINER,
        connectionString: raw.AZURE_BLOB_CONNECTION_STRING,
        accountName: raw.AZURE_BLOB_ACCOUNT_NAME,
        accountKey: raw.AZURE_BLOB_ACCOUNT_KEY,
        sasToken: raw.AZURE_BLOB_SAS_TOKEN,
        endpoint: raw.AZURE_BLOB_ENDPOINT,
      };
    }
    case 'gcs': {
      const bucket = require('GCS_BUCKET', raw.GCS_BUCKET);
      let credentials: { client_email: string; private_key: string } | undefined;
      if (raw.GCS_CREDENTIALS_JSON) {
        try {
          const json = raw.GCS_CREDENTIALS_JSON.startsWith('{')
            ? raw.GCS_CREDENTIALS_JSON
            : Buffer.from(raw.GCS_CREDENTIALS_JSON, 'base64').toString('utf8');
          credentials = JSON.parse(json) as { client_email: string; private_key: string };
          if (!credentials.client_email || !credentials.private_key) throw new Error('incomplete');
        } catch {
          problems.push({
            variable: 'GCS_CREDENTIALS_JSON',
            message: 'must be a service-account key (JSON, or base64 of it) with client_email and private_key',
          });
        }
      }
      return {
        driver: 'gcs',
        bucket: bucket ?? '',
        projectId: raw.GCS_PROJECT_ID,
        credentials,
        keyFilename: raw.GCS_KEY_FILE,
        apiEndpoint: raw.GCS_API_ENDPOINT,
      };
    }
  }
}

/** Records a problem when a variable a chosen driver needs is missing; returns the value. */
function required(problems: ConfigProblem[], variable: string, value: string | undefined, when: string) {
  if (!value) problems.push({ variable, message: `is required when ${when}` });
  return value;
}

function mailConfigFrom(raw: RawEnv, problems: ConfigProblem[]): MailModuleOptions {
  const common = { from: raw.MAIL_FROM, attempts: raw.MAIL_ATTEMPTS, backoffMs: raw.MAIL_RETRY_BACKOFF_MS };
  switch (raw.MAIL_DRIVER) {
    case 'log':
      return { ...common, driver: 'log' };
    case 'smtp':
      return {
        ...common,
        driver: 'smtp',
        host: required(problems, 'SMTP_HOST', raw.SMTP_HOST, 'MAIL_DRIVER=smtp') ?? '',
        port: raw.SMTP_PORT,
        secure: raw.SMTP_SECURE,
        requireTls: raw.SMTP_REQUIRE_TLS,
        user: raw.SMTP_USERNAME,
        password: raw.SMTP_PASSWORD,
        allowInvalidCertificates: raw.SMTP_ALLOW_INVALID_CERTS,
      };
    case 'sendgrid':
      return {
        ...common,
        driver: 'sendgrid',
        apiKey: required(problems, 'SENDGRID_API_KEY', raw.SENDGRID_API_KEY, 'MAIL_DRIVER=sendgrid') ?? '',
        host: raw.SENDGRID_SMTP_HOST,
        port: raw.SENDGRID_SMTP_PORT,
      };
  }
}

/**
 * Console SSO: each provider is on when its client id and secret are set; the rest has defaults.
 * GitHub Enterprise Server needs its three URLs together (a token must never go to github.com).
 */
function ssoConfigFrom(raw: RawEnv, problems: ConfigProblem[]): SsoConfig {
  const pair = (idVar: keyof RawEnv, secretVar: keyof RawEnv) => {
    const id = raw[idVar] as string | undefined;
    const secret = raw[secretVar] as string | undefined;
    if (id && !secret) problems.push({ variable: secretVar, message: `is required when ${idVar} is set` });
    if (secret && !id) problems.push({ variable: idVar, message: `is required when ${secretVar} is set` });
    return id && secret ? { clientId: id, clientSecret: secret } : undefined;
  };
  const onlyWith = (owner: keyof RawEnv, variables: Array<keyof RawEnv>) => {
    for (const variable of variables) {
      if (raw[variable] !== undefined && !raw[owner]) {
        problems.push({ variable, message: `is only used with ${owner} (set it, or unset ${variable})` });
      }
    }
  };
  const trim = (url: string) => url.replace(/\/+$/, '');

  const github = pair('GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET');
  const enterprise = ['GITHUB_AUTHORIZE_URL', 'GITHUB_TOKEN_URL', 'GITHUB_API_URL'] as const;
  const enterpriseSet = enterprise.filter((v) => raw[v]);
  if (enterpriseSet.length > 0 && enterpriseSet.length < enterprise.length) {
    for (const variable of enterprise.filter((v) => !raw[v])) {
      problems.push({
        variable,
        message: `is required with ${enterpriseSet.join(', ')} (GitHub Enterprise needs all three URLs)`,
      });
    }
  }
  onlyWith('GITHUB_CLIENT_ID', [...enterprise]);
  const google = pair('GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET');
  onlyWith('GOOGLE_CLIENT_ID', ['GOOGLE_AUTHORIZE_URL', 'GOOGLE_TOKEN_URL', 'GOOGLE_USERINFO_URL']);
  if (raw.OIDC_ISSUER && !raw.OIDC_CLIENT_ID) {
    problems.push({ variable: 'OIDC_CLIENT_ID', message: 'is required when OIDC_ISSUER is set' });
  }
  onlyWith('OIDC_ISSUER', ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']);

  return {
    consoleApiUrl: trim(raw.CONSOLE_API_URL ?? `http://localhost:${raw.PORT}`),
    github: github && {
      ...github,
      authorizeUrl: raw.GITHUB_AUTHORIZE_URL ?? 'https://github.com/login/oauth/authorize',
      tokenUrl: raw.GITHUB_TOKEN_URL ?? 'https://github.com/login/oauth/access_token',
      apiUrl: trim(raw.GITHUB_API_URL ?? 'https://api.github.com'),
    },
    google: google && {
      ...google,
      authorizeUrl: raw.GOOGLE_AUTHORIZE_URL ?? 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: raw.GOOGLE_TOKEN_URL ?? 'https://oauth2.googleapis.com/token',
      apiUrl: raw.GOOGLE_USERINFO_URL ?? 'https://www.googleapis.com/oauth2/v3/userinfo',
    },
    oidc:
      raw.OIDC_ISSUER && raw.OIDC_CLIENT_ID
        ? {
            issuer: raw.OIDC_ISSUER,
            clientId: raw.OIDC_CLIENT_ID,
            clientSecret: raw.OIDC_CLIENT_SECRET,
            scopes: raw.OIDC_SCOPES.split(/[\s,]+/).filter(Boolean),
            emailClaim: raw.OIDC_EMAIL_CLAIM,
            displayName: raw.OIDC_DISPLAY_NAME,
          }
        : undefined,
    allowRegister: raw.ALLOW_REGISTER,
    allowedEmailDomains: splitList(raw.ALLOWED_EMAIL_DOMAINS ?? '').map((d) => d.toLowerCase()),
    allowCreateWorkspace: raw.ALLOW_CREATE_WORKSPACE,
  };
}

/**
 * The SSRF guard: every allowlist entry is parsed here with the guard's own parser, so a typo is a
 * boot error naming the entry rather than a destination that stays blocked (or open) unnoticed.
 */
function ssrfConfigFrom(raw: RawEnv, problems: ConfigProblem[]): SsrfConfig {
  const allowlist: string[] = [];
  for (const entry of splitList(raw.SSRF_ALLOWLIST ?? '')) {
    try {
      allowlist.push(parseAllowlistEntry(entry).text);
    } catch (error) {
      problems.push({
        variable: 'SSRF_ALLOWLIST',
        message: `entry "${entry}" ${(error as Error).message} (entries: hostnames, *.domain wildcards, IP addresses, CIDR ranges)`,
      });
    }
  }
  if (raw.SSRF_ALLOWLIST_ONLY && !raw.SSRF_ALLOWLIST?.trim()) {
    problems.push({
      variable: 'SSRF_ALLOWLIST_ONLY',
      message: 'is true but SSRF_ALLOWLIST is empty: every outbound request would be blocked',
    });
  }
  const maxResponseBytes = bytes.parse(raw.SSRF_MAX_RESPONSE_BYTES.replace(/\s+/g, '')) ?? 10 * 1024 * 1024;
  if (maxResponseBytes < 1) {
    problems.push({ variable: 'SSRF_MAX_RESPONSE_BYTES', message: 'must be at least 1 byte, e.g. 10mb' });
  }
  return { allowlist, allowlistOnly: raw.SSRF_ALLOWLIST_ONLY, maxResponseBytes };
}

/**
 * Plugins: the trusted keys are read and checked here, so a private key dropped into the key
 * directory or a mangled PEM stops the boot naming the variable, instead of every signed package
 * being refused later without an obvious cause.
 */
function pluginsConfigFrom(raw: RawEnv, cwd: string, dataDir: string, problems: ConfigProblem[]): PluginsConfig {
  const keys: TrustedKey[] = [];
  const trust = (variable: string, text: string, source: string) => {
    try {
      keys.push(...parseTrustedKeys(text, source));
    } catch (error) {
      problems.push({ variable, message: (error as Error).message });
    }
  };
  if (raw.PLUGIN_TRUSTED_KEYS_DIR) {
    const dir = resolve(cwd, raw.PLUGIN_TRUSTED_KEYS_DIR);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => name.toLowerCase().endsWith('.pem'));
    } catch (error) {
      problems.push({
        variable: 'PLUGIN_TRUSTED_KEYS_DIR',
        message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${dir}`,
      });
    }
    for (const name of names.sort()) {
      const file = join(dir, name);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        problems.push({
          variable: 'PLUGIN_TRUSTED_KEYS_DIR',
          message: `${file} cannot be read (${(error as Error).message})`,
        });
        continue;
      }
      trust('PLUGIN_TRUSTED_KEYS_DIR', text, file);
    }
  }
  if (raw.PLUGIN_TRUSTED_KEYS) trust('PLUGIN_TRUSTED_KEYS', raw.PLUGIN_TRUSTED_KEYS, 'PLUGIN_TRUSTED_KEYS');
  const trustedKeys = keys.filter((key, index) => keys.findIndex((k) => k.fingerprint === key.fingerprint) === index);

  const forced = raw.PLUGIN_FORCE_VERIFY_SIGNATURE;
  const alias = raw.FORCE_VERIFYING_SIGNATURE;
  if (forced !== undefined && alias !== undefined && forced !== alias) {
    problems.push({
      variable: 'PLUGIN_FORCE_VERIFY_SIGNATURE',
      message: `is ${forced} but its alias FORCE_VERIFYING_SIGNATURE is ${alias}: set one of them`,
    });
  }
  const forceVerifySignature = forced ?? alias ?? false;
  if (
    forceVerifySignature &&
    trustedKeys.length === 0 &&
    !problems.some((p) => p.variable.startsWith('PLUGIN_TRUSTED'))
  ) {
    problems.push({
      variable: 'PLUGIN_FORCE_VERIFY_SIGNATURE',
      message:
        'is true but no trusted key is configured (PLUGIN_TRUSTED_KEYS_DIR or PLUGIN_TRUSTED_KEYS): every package would be refused',
    });
  }
  const size = (variable: 'PLUGIN_MAX_PACKAGE_SIZE' | 'PLUGIN_MAX_UNPACKED_BYTES') => {
    const value = bytes.parse(raw[variable].replace(/\s+/g, '')) ?? 0;
    if (value < 1) problems.push({ variable, message: 'must be at least 1 byte, e.g. 50mb' });
    return Math.max(1, Math.floor(value));
  };
  return {
    trustedKeys,
    forceVerifySignature,
    limits: {
      maxPackageBytes: size('PLUGIN_MAX_PACKAGE_SIZE'),
      maxUnpackedBytes: size('PLUGIN_MAX_UNPACKED_BYTES'),
      maxEntries: raw.PLUGIN_MAX_ENTRIES,
    },
    workingDir: raw.PLUGIN_WORKING_DIR ? resolve(cwd, raw.PLUGIN_WORKING_DIR) : resolve(dataDir, 'plugins'),
    runtime: {
      startMode: raw.PLUGIN_START_MODE,
      maxExecutionTimeoutMs: raw.PLUGIN_MAX_EXECUTION_TIMEOUT * 1000,
      idleTimeoutMs: raw.PLUGIN_IDLE_TIMEOUT * 1000,
      maxQueuedCalls: raw.PLUGIN_MAX_QUEUED_CALLS,
      heartbeatIntervalMs: raw.PLUGIN_HEARTBEAT_INTERVAL_MS,
    },
  };
}

function parseNodes(list: string): RedisNode[] {
  return splitList(list).map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
}

/** Redis is configured by REDIS_URL or REDIS_HOST (single), REDIS_SENTINELS or REDIS_CLUSTER_NODES. */
function redisConfigFrom(raw: RawEnv, problems: ConfigProblem[]): RedisModuleOptions | undefined {
  const url = raw.REDIS_URL ? new URL(raw.REDIS_URL) : undefined;
  const common = {
    keyPrefix: raw.REDIS_KEY_PREFIX,
    username: url?.username ? decodeURIComponent(url.username) : raw.REDIS_USERNAME,
    password: url?.password ? decodeURIComponent(url.password) : raw.REDIS_PASSWORD,
    tls: url ? url.protocol === 'rediss:' || raw.REDIS_TLS : raw.REDIS_TLS,
    connectTimeoutMs: raw.REDIS_CONNECT_TIMEOUT_MS,
  };
  const db = url && url.pathname.length > 1 ? Number(url.pathname.slice(1)) : raw.REDIS_DB;
  if (!Number.isInteger(db) || db < 0) {
    problems.push({ variable: 'REDIS_URL', message: 'must end with a database number, e.g. redis://host:6379/0' });
    return undefined;
  }
  switch (raw.REDIS_MODE) {
    case 'sentinel':
      if (!raw.REDIS_SENTINELS) {
        problems.push({ variable: 'REDIS_SENTINELS', message: 'is required when REDIS_MODE=sentinel' });
        return undefined;
      }
      return {
        ...common,
        driver: 'sentinel',
        sentinels: parseNodes(raw.REDIS_SENTINELS),
        name: raw.REDIS_SENTINEL_NAME,
        sentinelPassword: raw.REDIS_SENTINEL_PASSWORD,
        db,
      };
    case 'cluster':
      if (!raw.REDIS_CLUSTER_NODES) {
        problems.push({ variable: 'REDIS_CLUSTER_NODES', message: 'is required when REDIS_MODE=cluster' });
        return undefined;
      }
      return { ...common, driver: 'cluster', nodes: parseNodes(raw.REDIS_CLUSTER_NODES) };
    case 'single': {
      const host = url?.hostname || raw.REDIS_HOST;
      if (!host) return undefined;
      return { ...common, driver: 'single', host, port: url?.port ? Number(url.port) : raw.REDIS_PORT, db };
    }
  }
}

function normaliseType(value: string): DatabaseConfig['driver'] {
  const lower = value.toLowerCase();
  if (lower === 'postgresql' || lower === 'postgres') return 'postgres';
  if (lower === 'mariadb' || lower === 'mysql') return 'mysql';
  return 'sqlite';
}

function sentryConfigFrom(raw: RawEnv): SentryModuleOptions {
  if (!raw.SENTRY_DSN) return { driver: 'off' };
  return {
    driver: 'sentry',
    dsn: raw.SENTRY_DSN,
    environment: raw.SENTRY_ENVIRONMENT ?? raw.NODE_ENV,
    release: raw.SENTRY_RELEASE ?? `keel@${packageJson.version}`,
    tracesSampleRate: raw.SENTRY_TRACES_SAMPLE_RATE,
  };
}

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT is a base URL (the OTLP spec: signals append `/v1/<signal>`);
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the traces URL itself and wins.
 */
function tracingConfigFrom(raw: RawEnv, problems: ConfigProblem[]): TracingConfig {
  const ratioSampler = raw.OTEL_TRACES_SAMPLER.endsWith('traceidratio');
  if (raw.OTEL_TRACES_SAMPLER_ARG !== undefined && !ratioSampler) {
    problems.push({
      variable: 'OTEL_TRACES_SAMPLER_ARG',
      message: `is only used with OTEL_TRACES_SAMPLER=traceidratio or parentbased_traceidratio (it is ${raw.OTEL_TRACES_SAMPLER})`,
    });
  }
  const tracesUrl =
    raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (raw.OTEL_EXPORTER_OTLP_ENDPOINT ? `${raw.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  return {
    serviceName: raw.OTEL_SERVICE_NAME,
    sampler: { kind: raw.OTEL_TRACES_SAMPLER, ratio: raw.OTEL_TRACES_SAMPLER_ARG ?? 1 },
    otlp: tracesUrl
      ? {
          tracesUrl,
          headers: parseKeyValueList(raw.OTEL_EXPORTER_OTLP_HEADERS ?? ''),
          scheduleDelayMs: raw.OTEL_BSP_SCHEDULE_DELAY,
          maxQueueSize: raw.OTEL_BSP_MAX_QUEUE_SIZE,
          exportTimeoutMs: raw.OTEL_BSP_EXPORT_TIMEOUT,
        }
      : undefined,
  };
}

/** `k1=v1,k2=v2` with URL-encoded values, as the OpenTelemetry spec writes header lists. */
function parseKeyValueList(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of splitList(value)) {
    const at = pair.indexOf('=');
    const encoded = pair.slice(at + 1).trim();
    out[pair.slice(0, at).trim()] = safeDecode(encoded);
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
