import { NestFactory } from '@nestjs/core';
import { getRepositoryToken } from '@nestjs/typeorm';
import { buildDataSourceOptions, createDatabaseDriver, migrationStatus } from '@keel/database';
import { DataSource, type Repository } from 'typeorm';
import { errorMessage } from '../common/errors/error-message';
import type { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.loader';
import { ConfigValidationError } from '../config/config-validation.error';
import { databaseOptionsFrom } from '../infrastructure/database.options-factory';
import { HealthCheckRegistry, type RegisteredCheck } from '../modules/health/health-check.registry';
import { CredentialCipher } from '../modules/providers/credential.cipher';
import { ProviderCredential } from '../modules/providers/provider-credential.entity';
import { ProviderRegistry } from '../modules/providers/provider.registry';
import { UpstreamError } from '../modules/providers/upstream.error';
import type { CommandOutput } from './command-output';
import { DoctorModule } from './doctor.module';
import { fixFor } from './doctor-fixes';

/** One line per check: `CHECK <name> … OK` or `CHECK <name> … FAIL: <cause> → <fix>`. */
class Report {
  failed = false;
  constructor(private readonly out: CommandOutput) {}
  ok(name: string, detail?: string): void {
    this.out.say(`CHECK ${name} … OK${detail ? ` (${detail})` : ''}`);
  }
  fail(name: string, cause: string, fix: string): void {
    this.failed = true;
    this.out.say(`CHECK ${name} … FAIL: ${cause} → ${fix}`);
  }
}

/**
 * `keel doctor`: the configuration, the database and its schema, then every extension the server
 * would use (through the same health indicators as `/health/ready`), then every model provider
 * credential a workspace saved (a live call each). Exit 1 on any failure.
 */
export async function doctor(out: CommandOutput, env?: Record<string, string | undefined>): Promise<number> {
  const report = new Report(out);
  let config: AppConfig;
  try {
    config = loadConfig(env ? { env } : {});
    report.ok('config', `NODE_ENV=${config.env}`);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    for (const problem of error.problems)
      report.fail('config', `${problem.variable} ${problem.message}`, fixFor('config'));
    return 1;
  }
  const pending = await checkDatabase(config, report);
  if (pending === undefined) {
    out.say('CHECK extensions … SKIPPED (they need the database)');
    return 1;
  }
  const app = await NestFactory.createApplicationContext(DoctorModule.forRoot(config), { logger: false });
  try {
    const checks = (await app.get(HealthCheckRegistry).all()).filter((c) => c.key !== 'database');
    for (const check of checks) await runCheck(check, config.health.timeoutMs, report);
    await checkProviders(
      app.get(ProviderRegistry),
      app.get(CredentialCipher),
      app.get(getRepositoryToken(ProviderCredential)),
      report,
    );
  } finally {
    await app.close();
  }
  return report.failed ? 1 : 0;
}

/** The number of pending migrations, or undefined when the database cannot be used. */
async function checkDatabase(config: AppConfig, report: Report): Promise<number | undefined> {
  const options = { ...databaseOptionsFrom(config), migrationsRun: false, connectRetries: 0 };
  const driver = createDatabaseDriver(options);
  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource(buildDataSourceOptions(driver, options)).initialize();
    await driver.afterConnect(dataSource);
    await dataSource.query('SELECT 1');
    const status = await migrationStatus(dataSource);
    if (status.unknown.length > 0) {
      report.fail(
        'database',
        `the schema is newer than this Keel (${status.unknown.join(', ')})`,
        'run the Keel version that migrated it, or restore the backup taken before that upgrade',
      );
      return undefined;
    }
    const pending = status.pending.length
      ? `, ${status.pending.length} pending: keel migrate or the next boot applies them`
      : '';
    report.ok('database', `${driver.describe()}, ${status.applied.length} migrations applied${pending}`);
    return status.pending.length;
  } catch (error) {
    report.fail('database', `${driver.describe()}: ${errorMessage(error)}`, fixFor('database'));
    return undefined;
  } finally {
    await dataSource?.destroy().catch(() => undefined);
  }
}

async function runCheck(check: RegisteredCheck, timeoutMs: number, report: Report): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      check.run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const detail = result[check.key] as { status: string; message?: unknown; driver?: unknown; target?: unknown };
    const what = [detail.driver, detail.target].filter((v) => typeof v === 'string').join(', ');
    if (detail.status === 'up') report.ok(check.key, what || undefined);
    else
      report.fail(
        check.key,
        `${what ? `${what}: ` : ''}${typeof detail.message === 'string' ? detail.message : 'down'}`,
        fixFor(check.key),
      );
  } catch (error) {
    report.fail(check.key, errorMessage(error), fixFor(check.key));
  } finally {
    clearTimeout(timer);
  }
}

async function checkProviders(
  registry: ProviderRegistry,
  cipher: CredentialCipher,
  rows: Repository<ProviderCredential>,
  report: Report,
): Promise<void> {
  const saved = await rows.find({ order: { workspaceId: 'ASC', provider: 'ASC' } });
  if (saved.length === 0) report.ok('model providers', 'none configured yet');
  for (const row of saved) {
    const name = `model provider ${row.provider} (workspace ${row.workspaceId})`;
    const provider = registry.get(row.provider);
    if (!provider) {
      // Plugin providers live in their plugin's process: checked when the plugin runs, not here.
      report.ok(
        name,
        row.provider.includes('/') ? 'a plugin provider: checked by its plugin when used' : 'unknown to this Keel',
      );
      continue;
    }
    let credentials: Record<string, unknown>;
    try {
      credentials = cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials);
    } catch {
      report.fail(name, 'the saved credentials do not decrypt with this SECRET_KEY', fixFor('secret-key'));
      continue;
    }
    try {
      await provider.validateCredentials(credentials);
      report.ok(name);
    } catch (error) {
      report.fail(name, UpstreamError.from(error).message, fixFor('provider'));
    }
  }
}
