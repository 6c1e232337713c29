import type { DatabaseModuleOptions } from '@keel/database';
import type { PackageLimits, TrustedKey } from '@keel/plugin-package';
import type { RedisModuleOptions } from '@keel/redis';
import type { StorageModuleOptions } from '@keel/storage';
import type { MailModuleOptions } from '@keel/mail';
import type { SentryModuleOptions } from '@keel/sentry';
import type { OtlpExportOptions, TraceSamplerKind } from '@keel/telemetry';
import type { LogLevel } from './env.schema';

export type NodeEnv = 'development' | 'production' | 'test';

export interface ServerConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** Express `trust proxy` setting: false, true, a hop count or a list of addresses/subnets. */
  trustProxy: boolean | number | string;
  docsEnabled: boolean;
}

export interface CorsConfig {
  /** Origins allowed to call `/console/api` with credentials; empty = no cross-origin access. */
  consoleOrigins: string[];
  /** Origins allowed to call `/v1` (no credentials); `'*'` = any. */
  serviceApiOrigins: string[] | '*';
}

export interface LoggingConfig {
  level: LogLevel;
  format: 'json' | 'pretty';
}

export interface SecurityConfig {
  secretKey: string;
  /** Where the key came from: the environment, or generated once and kept under DATA_DIR. */
  secretKeySource: 'env' | 'data-dir';
}

/**
 * The database extension's own options minus what the application supplies (its entity and
 * migration lists): configuration chooses the backend, the application owns the schema.
 */
export type DatabaseConfig = DistributiveOmit<DatabaseModuleOptions, 'entities' | 'migrations'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface CacheConfig {
  driver: 'memory' | 'redis';
  defaultTtlMs: number;
  maxItems: number;
}

export interface QueueConfig {
  driver: 'inline' | 'bull';
  /** Whether the API process runs processors too (else only `node dist/worker` does). */
  workerInApi: boolean;
  workerHealthPort: number;
  defaults: { attempts: number; backoffMs: number; timeoutMs: number; keepCompleted: number; keepFailed: number };
}

/**
 * The storage extension's options minus the signing key, which is derived from SECRET_KEY where
 * the module is wired (configuration never holds derived secrets).
 */
export type StorageConfig = DistributiveOmit<StorageModuleOptions, 'signingKey'>;

export interface MetricsConfig {
  enabled: boolean;
  /** Serve /metrics on this port instead of the main one. */
  port?: number;
  basicAuth?: { user: string; password: string };
}

export interface TracingConfig {
  /** Absent: no OTLP export (traces may still go to Sentry when its tracing is on). */
  otlp?: OtlpExportOptions;
  /** OTEL_SERVICE_NAME; absent: `keel-api` or `keel-worker` by process. */
  serviceName?: string;
  sampler: { kind: TraceSamplerKind; ratio: number };
}

export interface ModelCallsConfig {
  timeoutMs: number;
  /** Retries on 429/5xx and connection errors, with exponential backoff. */
  maxRetries: number;
}

export interface ServiceApiConfig {
  /** Requests per minute per app; 0 = unlimited. Apps may override. */
  rpm: number;
  /** Concurrent generation requests per app; 0 = unlimited. Apps may override. */
  maxActiveRequests: number;
  /** Idle time after which a stream gets a keep-alive frame. */
  pingIntervalMs: number;
  /** Token budget for earlier turns sent as conversation memory. */
  memoryTokens: number;
}

/** The SSRF guard of user- and model-steered outbound requests (`SsrfModule`). */
export interface SsrfConfig {
  /** Validated `SSRF_ALLOWLIST` entries: hostnames, `*.domain` wildcards, IP addresses, CIDR ranges. */
  allowlist: string[];
  /** Only allowlisted destinations are reachable, public ones included. */
  allowlistOnly: boolean;
  /** The largest response body read; larger answers fail the request. */
  maxResponseBytes: number;
}

/** Plugin packages: what the server accepts, whom it trusts, where installed versions live. */
export interface PluginsConfig {
  /** Public keys trusted to sign plugins (`PLUGIN_TRUSTED_KEYS_DIR` files and `PLUGIN_TRUSTED_KEYS`), read at boot. */
  trustedKeys: TrustedKey[];
  /** Only packages a trusted key signed are accepted (`PLUGIN_FORCE_VERIFY_SIGNATURE`, alias `FORCE_VERIFYING_SIGNATURE`). */
  forceVerifySignature: boolean;
  /** Upper bounds on a package (size of the zip, entries, inflated bytes). */
  limits: PackageLimits;
  /** Where installed versions are unpacked on this machine (`PLUGIN_WORKING_DIR`, default `$DATA_DIR/plugins`). */
  workingDir: string;
  /** How installed plugins run (one supervised process per installed version). */
  runtime: PluginRuntimeConfig;
}

export interface PluginRuntimeConfig {
  /** `lazy`: a plugin's process starts at its first call; `boot`: every installed plugin starts with the server. */
  startMode: 'lazy' | 'boot';
  /** The longest a call may take, whatever the manifest's `resource.timeout` says. */
  maxExecutionTimeoutMs: number;
  /** A process without calls for this long is stopped (0: never). */
  idleTimeoutMs: number;
  /** Calls that may wait for a free slot beyond `max_concurrent_requests`; more are refused (429). */
  maxQueuedCalls: number;
  /** How often plugins send heartbeats; two missed ones restart the process. */
  heartbeatIntervalMs: number;
}

export interface HealthConfig {
  timeoutMs: number;
}

/** Console accounts: first-run setup, password login, tokens, invitations. */
export interface AuthConfig {
  /** When set, `POST /console/api/init` must be passed with it before the first-run setup. */
  initPassword?: string;
  passwordLoginEnabled: boolean;
  /** Failed password logins allowed per email and per IP in `loginAttemptWindowMs`. */
  loginMaxAttempts: number;
  loginAttemptWindowMs: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlMs: number;
  invitationTtlHours: number;
  passwordResetTtlMinutes: number;
}

/** One OAuth 2.0 provider's client and endpoints (GitHub, GitHub Enterprise, Google). */
export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** GitHub: the API base (`/user`, `/user/emails`); Google: the userinfo endpoint. */
  apiUrl: string;
}

export interface OidcClientConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, token endpoint auth `none`). */
  clientSecret?: string;
  scopes: string[];
  emailClaim: string;
  displayName: string;
}

/** Console single sign-on, and who may sign up through it. */
export interface SsoConfig {
  /** Public base URL of this API; OAuth callbacks are `<it>/console/api/oauth/authorize/<provider>`. */
  consoleApiUrl: string;
  github?: OAuthClientConfig;
  google?: OAuthClientConfig;
  oidc?: OidcClientConfig;
  /** Whether an SSO sign-in may create an account that was neither invited nor existing. */
  allowRegister: boolean;
  /** Lower-case domains new accounts' emails must belong to; empty = any. */
  allowedEmailDomains: string[];
  /** Whether an account without any workspace gets its own (as owner) at SSO sign-in. */
  allowCreateWorkspace: boolean;
}

export interface AppConfigValues {
  env: NodeEnv;
  dataDir: string;
  server: ServerConfig;
  cors: CorsConfig;
  logging: LoggingConfig;
  security: SecurityConfig;
  database: DatabaseConfig;
  /** Absent when Redis is not configured: features then use their in-process fallbacks. */
  redis?: RedisModuleOptions;
  cache: CacheConfig;
  queue: QueueConfig;
  storage: StorageConfig;
  auth: AuthConfig;
  mail: MailModuleOptions;
  /** Base URL of the console web app (links in e-mails, where SSO lands). */
  consoleWebUrl: string;
  sso: SsoConfig;
  metrics: MetricsConfig;
  sentry: SentryModuleOptions;
  tracing: TracingConfig;
  models: ModelCallsConfig;
  serviceApi: ServiceApiConfig;
  health: HealthConfig;
  ssrf: SsrfConfig;
  plugins: PluginsConfig;
  /** Keel's own version (package.json), for release names and trace resources. */
  version: string;
}

/**
 * The validated, typed configuration. It is both the type features read and the DI token they
 * inject; only `src/config` builds it.
 */
export class AppConfig implements AppConfigValues {
  declare readonly env: NodeEnv;
  declare readonly dataDir: string;
  declare readonly server: ServerConfig;
  declare readonly cors: CorsConfig;
  declare readonly logging: LoggingConfig;
  declare readonly security: SecurityConfig;
  declare readonly database: DatabaseConfig;
  declare readonly redis?: RedisModuleOptions;
  declare readonly cache: CacheConfig;
  declare readonly queue: QueueConfig;
  declare readonly storage: StorageConfig;
  declare readonly auth: AuthConfig;
  declare readonly mail: MailModuleOptions;
  declare readonly consoleWebUrl: string;
  declare readonly sso: SsoConfig;
  declare readonly metrics: MetricsConfig;
  declare readonly sentry: SentryModuleOptions;
  declare readonly tracing: TracingConfig;
  declare readonly models: ModelCallsConfig;
  declare readonly serviceApi: ServiceApiConfig;
  declare readonly health: HealthConfig;
  declare readonly ssrf: SsrfConfig;
  declare readonly plugins: PluginsConfig;
  declare readonly version: string;

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
    Object.freeze(this);
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }
}
