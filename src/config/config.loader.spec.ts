import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.loader';
import { loadAt, problemsAt } from '../../test/support/config';
import { ConfigValidationError } from './config-validation.error';

describe('loadConfig', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'keel-config-'));
  });

  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const load = (env: Record<string, string | undefined> = {}, envFile: string | false = false) =>
    loadConfig({ env, envFile, cwd });

  const problemsOf = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      return (error as ConfigValidationError).problems;
    }
    throw new Error('expected the configuration to be rejected');
  };

  it('boots on embedded defaults with no environment at all', () => {
    const config = load();
    expect(config.env).toBe('development');
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 5001, bodyLimitBytes: 1_048_576 });
    expect(config.database).toMatchObject({
      driver: 'sqlite',
      path: join(cwd, 'data', 'keel.sqlite'),
      migrationsRun: true,
    });
    expect(config.logging).toEqual({ level: 'info', format: 'pretty' });
    expect(config.cors).toEqual({ consoleOrigins: [], serviceApiOrigins: '*' });
  });

  it('generates SECRET_KEY once outside production and reuses it on the next boot', () => {
    const first = load();
    expect(first.security.secretKeySource).toBe('data-dir');
    expect(first.security.secretKey.length).toBeGreaterThanOrEqual(32);
    const file = join(cwd, 'data', 'secret-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(load().security.secretKey).toBe(first.security.secretKey);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.security.secretKey);
  });

  it('uses SECRET_KEY from the environment and requires it in production', () => {
    const key = 'k'.repeat(40);
    expect(load({ NODE_ENV: 'production', SECRET_KEY: key }).security).toEqual({
      secretKey: key,
      secretKeySource: 'env',
    });
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.objectContaining({ variable: 'SECRET_KEY', message: expect.stringContaining('required') }),
    ]);
    expect(problemsOf({ SECRET_KEY: 'short' })[0]).toMatchObject({
      variable: 'SECRET_KEY',
      message: 'must be at least 32 characters',
    });
  });

  it('lists every invalid variable at once', () => {
    const problems = problemsOf({ PORT: 'abc', DB_TYPE: 'oracle', LOG_LEVEL: 'verbose', DB_MIGRATIONS_RUN: 'maybe' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['DB_MIGRATIONS_RUN', 'DB_TYPE', 'LOG_LEVEL', 'PORT']);
  });

  it('rejects out-of-range numbers and malformed sizes', () => {
    expect(problemsOf({ PORT: '70000' })[0]).toMatchObject({
      variable: 'PORT',
      message: 'must be between 1 and 65535',
    });
    expect(problemsOf({ HTTP_BODY_LIMIT: 'lots' })[0].variable).toBe('HTTP_BODY_LIMIT');
  });

  it('treats empty values as unset', () => {
    expect(load({ PORT: '', DB_TYPE: ' ' }).server.port).toBe(5001);
  });

  it('reads a .env file, with real variables taking precedence', () => {
    const file = join(cwd, '.env');
    writeFileSync(file, 'PORT=6001\nLOG_LEVEL=debug\n');
    const config = load({ LOG_LEVEL: 'warn' }, file);
    expect(config.server.port).toBe(6001);
    expect(config.logging.level).toBe('warn');
  });

  it('parses DATABASE_URL for PostgreSQL, inferring DB_TYPE and decoding credentials', () => {
    const config = load({ DATABASE_URL: 'postgresql://keel:p%40ss@db.internal:6543/keel_prod?sslmode=require' });
    expect(config.database).toMatchObject({
      driver: 'postgres',
      host: 'db.internal',
      port: 6543,
      username: 'keel',
      password: 'p@ss',
      database: 'keel_prod',
      ssl: true,
    });
  });

  it('treats mariadb as the mysql driver and applies default ports to discrete variables', () => {
    const config = load({ DB_TYPE: 'mariadb', DB_HOST: 'maria', DB_DATABASE: 'keel', DB_USERNAME: 'root' });
    expect(config.database).toMatchObject({ driver: 'mysql', host: 'maria', port: 3306, database: 'keel' });
  });

  it('refuses a DATABASE_URL that contradicts DB_TYPE, or names no database', () => {
    expect(problemsOf({ DB_TYPE: 'postgres', DATABASE_URL: 'mysql://root@h/keel' })[0]).toMatchObject({
      variable: 'DATABASE_URL',
      message: 'is a mysql URL but DB_TYPE is postgres',
    });
    expect(problemsOf({ DATABASE_URL: 'postgres://h:5432' })[0].variable).toBe('DATABASE_URL');
    expect(problemsOf({ DATABASE_URL: 'oracle://h/x' })[0].variable).toBe('DATABASE_URL');
  });

  it('refuses a wildcard console CORS origin (the console sends credentials)', () => {
    expect(problemsOf({ CONSOLE_CORS_ORIGINS: '*' })[0].variable).toBe('CONSOLE_CORS_ORIGINS');
    expect(load({ CONSOLE_CORS_ORIGINS: 'https://a.example, https://b.example:8443' }).cors.consoleOrigins).toEqual([
      'https://a.example',
      'https://b.example:8443',
    ]);
  });

  it('logs JSON in production and parses sizes and proxy settings', () => {
    const config = load({
      NODE_ENV: 'production',
      SECRET_KEY: 'x'.repeat(32),
      HTTP_BODY_LIMIT: '512kb',
      TRUST_PROXY: '2',
    });
    expect(config.logging.format).toBe('json');
    expect(config.server.bodyLimitBytes).toBe(524_288);
    expect(config.server.trustProxy).toBe(2);
  });
});

describe('loadConfig for SQLite paths', () => {
  const load = (env: Record<string, string>) => loadAt(env);

  it('places the default file in DATA_DIR, and named files relative to the working directory', () => {
    expect(load({ DATA_DIR: '/var/lib/keel' }).database).toMatchObject({ path: '/var/lib/keel/keel.sqlite' });
    expect(load({ DB_DATABASE: 'db/keel.db' }).database).toMatchObject({ path: '/srv/keel/db/keel.db' });
    expect(load({ DATABASE_URL: 'sqlite:///abs/keel.db' }).database).toMatchObject({ path: '/abs/keel.db' });
    expect(load({ DATABASE_URL: 'sqlite::memory:' }).database).toMatchObject({ path: ':memory:' });
  });
});

describe('loadConfig for Redis, cache and queue', () => {
  const load = (env: Record<string, string>) => loadAt(env);
  const problemsOf = problemsAt;

  it('runs without Redis, with the in-process cache and queue, by default', () => {
    const config = load({});
    expect(config.redis).toBeUndefined();
    expect(config.cache.driver).toBe('memory');
    expect(config.queue).toMatchObject({ driver: 'inline', workerInApi: true, workerHealthPort: 5002 });
  });

  it('switches the cache and queue to Redis when REDIS_URL is set', () => {
    const config = load({ REDIS_URL: 'rediss://app:s%3Acret@cache.internal:6380/2', REDIS_KEY_PREFIX: 'prod:' });
    expect(config.redis).toEqual({
      driver: 'single',
      host: 'cache.internal',
      port: 6380,
      db: 2,
      username: 'app',
      password: 's:cret',
      tls: true,
      keyPrefix: 'prod:',
      connectTimeoutMs: 5_000,
    });
    expect(config.cache.driver).toBe('redis');
    expect(config.queue.driver).toBe('bull');
  });

  it('lets CACHE_DRIVER and QUEUE_DRIVER stay in-process even with Redis', () => {
    const config = load({ REDIS_HOST: 'r1', CACHE_DRIVER: 'memory', QUEUE_DRIVER: 'inline' });
    expect(config.redis).toMatchObject({ driver: 'single', host: 'r1', port: 6379 });
    expect(config.cache.driver).toBe('memory');
    expect(config.queue.driver).toBe('inline');
  });

  it('reads Sentinel and Cluster settings', () => {
    expect(
      load({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379', REDIS_SENTINEL_NAME: 'keel' })
        .redis,
    ).toMatchObject({
      driver: 'sentinel',
      name: 'keel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
    });
    expect(load({ REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }).redis).toMatchObject({
      driver: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
  });

  it('names the variable when a driver needs Redis that is not configured', () => {
    expect(problemsOf({ CACHE_DRIVER: 'redis', QUEUE_DRIVER: 'bull' }).map((p) => p.variable)).toEqual([
      'CACHE_DRIVER',
      'QUEUE_DRIVER',
    ]);
  });

  it('refuses incomplete Sentinel/Cluster settings and malformed node lists', () => {
    expect(problemsOf({ REDIS_MODE: 'sentinel' })[0].variable).toBe('REDIS_SENTINELS');
    expect(problemsOf({ REDIS_MODE: 'cluster' })[0].variable).toBe('REDIS_CLUSTER_NODES');
    expect(problemsOf({ REDIS_SENTINELS: 'no-port' })[0].variable).toBe('REDIS_SENTINELS');
    expect(problemsOf({ REDIS_URL: 'http://x' })[0].variable).toBe('REDIS_URL');
  });

  it('refuses QUEUE_WORKER_IN_API=false with the inline driver (nobody would run the jobs)', () => {
    expect(problemsOf({ QUEUE_WORKER_IN_API: 'false' })[0]).toMatchObject({ variable: 'QUEUE_WORKER_IN_API' });
    expect(load({ REDIS_URL: 'redis://r:6379', QUEUE_WORKER_IN_API: 'false' }).queue.workerInApi).toBe(false);
  });
});

describe('loadConfig for storage and mail', () => {
  const load = (env: Record<string, string>) => loadAt(env);
  const problemsOf = (env: Record<string, string>) => problemsAt(env).map((p) => p.variable);

  it('stores files locally under DATA_DIR and logs mail by default', () => {
    const config = load({});
    expect(config.storage).toEqual({
      driver: 'local',
      root: '/srv/keel/data/storage',
      publicBaseUrl: 'http://localhost:5001',
    });
    expect(config.mail).toMatchObject({ driver: 'log', from: 'Keel <no-reply@keel.localhost>', attempts: 5 });
  });

  it('configures S3-compatible storage with path-style and required-only checksums', () => {
    const config = load({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'files',
      S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.storage).toMatchObject({ driver: 's3', forcePathStyle: true, checksums: 'when_required' });
    expect(load({ STORAGE_DRIVER: 's3', S3_BUCKET: 'files' }).storage).toMatchObject({
      forcePathStyle: false,
      checksums: 'when_supported',
    });
  });

  it('names what a storage or mail driver is missing', () => {
    expect(problemsOf({ STORAGE_DRIVER: 's3' })).toEqual(['S3_BUCKET']);
    expect(problemsOf({ STORAGE_DRIVER: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'x' })).toEqual([
      'S3_SECRET_ACCESS_KEY',
    ]);
    expect(problemsOf({ STORAGE_DRIVER: 'azure-blob' })).toEqual(['AZURE_BLOB_CONNECTION_STRING']);
    expect(
      problemsOf({ STORAGE_DRIVER: 'gcs', GCS_BUCKET: 'b', GCS_CREDENTIALS_JSON: '{"client_email":"x"}' }),
    ).toEqual(['GCS_CREDENTIALS_JSON']);
    expect(problemsOf({ MAIL_DRIVER: 'smtp' })).toEqual(['SMTP_HOST']);
    expect(problemsOf({ MAIL_DRIVER: 'sendgrid' })).toEqual(['SENDGRID_API_KEY']);
  });

  it('accepts a base64-encoded GCS service-account key', () => {
    const key = Buffer.from(
      JSON.stringify({ client_email: 'a@b.iam.gserviceaccount.com', private_key: 'pem' }),
    ).toString('base64');
    expect(load({ STORAGE_DRIVER: 'gcs', GCS_BUCKET: 'b', GCS_CREDENTIALS_JSON: key }).storage).toMatchObject({
      driver: 'gcs',
      credentials: { client_email: 'a@b.iam.gserviceaccount.com' },
    });
  });

  it('sends through SendGrid as SMTP user "apikey"', () => {
    expect(load({ MAIL_DRIVER: 'sendgrid', SENDGRID_API_KEY: 'SG.x' }).mail).toMatchObject({
      driver: 'sendgrid',
      apiKey: 'SG.x',
      host: 'smtp.sendgrid.net',
      port: 587,
    });
  });
});

describe('loadConfig for Sentry and OpenTelemetry', () => {
  const load = (env: Record<string, string>) => loadAt(env);
  const problemsOf = (env: Record<string, string>) => problemsAt(env).map((p) => `${p.variable}: ${p.message}`);

  it('leaves Sentry and trace export off by default', () => {
    const config = load({});
    expect(config.sentry).toEqual({ driver: 'off' });
    expect(config.tracing.otlp).toBeUndefined();
    expect(config.tracing.sampler).toEqual({ kind: 'parentbased_always_on', ratio: 1 });
  });

  it('fills Sentry environment and release from NODE_ENV and the package version', () => {
    const config = load({ SENTRY_DSN: 'https://abc@o1.ingest.sentry.io/42', NODE_ENV: 'test' });
    expect(config.sentry).toEqual({
      driver: 'sentry',
      dsn: 'https://abc@o1.ingest.sentry.io/42',
      environment: 'test',
      release: `keel@${config.version}`,
      tracesSampleRate: 0,
    });
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and uses the traces endpoint verbatim', () => {
    expect(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.otlp?.tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    const both = load({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/custom/path',
    });
    expect(both.tracing.otlp?.tracesUrl).toBe('https://traces.example.com/custom/path');
  });

  it('parses exporter headers, sampler and batch settings', () => {
    const config = load({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0ken,x-tenant=acme',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    });
    expect(config.tracing.otlp).toMatchObject({
      headers: { authorization: 'Bearer t0ken', 'x-tenant': 'acme' },
      scheduleDelayMs: 1000,
      maxQueueSize: 2048,
    });
    expect(config.tracing.sampler).toEqual({ kind: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it('names each malformed observability variable', () => {
    const problems = problemsOf({
      SENTRY_DSN: 'not-a-dsn',
      SENTRY_TRACES_SAMPLE_RATE: '1.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'novalue',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^SENTRY_DSN: must be a Sentry DSN/),
      expect.stringMatching(/^SENTRY_TRACES_SAMPLE_RATE: must be a number between 0 and 1/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_HEADERS: must be a comma-separated list of key=value pairs/),
      expect.stringMatching(/^OTEL_BSP_SCHEDULE_DELAY: must be between 10 and 5000/),
    ]);
  });

  it('refuses a sampler argument the chosen sampler does not take', () => {
    expect(problemsOf({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.5' })).toEqual([
      expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG: is only used with OTEL_TRACES_SAMPLER=traceidratio/),
    ]);
  });
});
