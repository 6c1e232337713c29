/**
 * `npm run migration:run | migration:revert | migration:generate -- <Name>`: the same migrations the
 * server applies at boot, against the database the environment (or `.env`) configures.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDataSourceOptions, createDatabaseDriver, runPendingMigrations } from '@keel/database';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.loader';
import { ConfigValidationError } from '../config/config-validation.error';
import { databaseOptionsFrom } from '../infrastructure/database.options-factory';

Logger.overrideLogger(['error', 'warn', 'log']);

async function main(command: string | undefined, name: string | undefined): Promise<void> {
  const config = loadConfig();
  if (command === 'revert' && config.isProduction) {
    // Reverting drops what later migrations added (tables, columns: data): in production the way back is a backup.
    throw new Error('Migrations are forward-only in production (NODE_ENV=production): restore a backup instead.');
  }
  const options = { ...databaseOptionsFrom(config), migrationsRun: false };
  const driver = createDatabaseDriver(options);
  const dataSource = await new DataSource(buildDataSourceOptions(driver, options)).initialize();
  try {
    await driver.afterConnect(dataSource);
    switch (command) {
      case 'run': {
        const applied = await runPendingMigrations(dataSource, driver);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
        break;
      }
      case 'revert': {
        await dataSource.undoLastMigration({ transaction: 'each' });
        console.log('Reverted the last applied migration.');
        break;
      }
      case 'generate':
        await generate(dataSource, name);
        break;
      default:
        throw new Error('usage: migration.cli (run | revert | generate <Name>)');
    }
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Writes a draft: TypeORM computes the schema diff for the configured database only, so the SQL
 * lands as a comment and the author rewrites it with the QueryRunner table API, which runs on all
 * three databases.
 */
async function generate(dataSource: DataSource, name: string | undefined): Promise<void> {
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error('generate needs a PascalCase name');
  const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const file = join(__dirname, 'migrations', `${timestamp}-${kebab}.ts`);
  const asComment = (queries: { query: string }[]) =>
    queries.map((q) => `    // ${q.query.replace(/\n/g, ' ')}`).join('\n') || '    // (no difference)';
  writeFileSync(
    file,
    `import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Draft from the ${dataSource.options.type} schema diff; rewrite with queryRunner.createTable() & co.
${asComment(upQueries)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${asComment(downQueries)}
  }
}
`,
  );
  console.log(`Wrote ${file}; add ${className} to src/database/database.migrations.ts.`);
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError || error instanceof Error ? error.message : error);
  process.exit(1);
});
