import type { DataSource, ObjectLiteral } from 'typeorm';
import { errorMessage } from '../common/errors/error-message';
import type { AppConfig } from '../config/app-config';
import { generateSecretKey, stageSecretKey } from '../config/secret-key.store';
import { runInTransaction } from '../database/transaction';
import type { CredentialCipher } from '../modules/providers/credential.cipher';
import { cipherFor } from './cipher-for-key';
import { cliAudit } from './cli-audit';
import { openCurrentSchema } from './cli-database';
import type { CommandOutput } from './command-output';
import { UsageError } from './usage.error';
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns';

const MIN_KEY_LENGTH = 32;

interface SealedRow {
  column: SealedColumn;
  /** The row's primary key, as TypeORM's `update` criteria. */
  key: ObjectLiteral;
  plain: unknown;
}

/**
 * `keel rotate-secret-key [--generate] [--dry-run]`: every stored credential (model providers, API
 * tools, plugin tools, plugin endpoint settings) decrypted under the current SECRET_KEY and sealed
 * again under a new one, in one transaction — first checking that every one of them decrypts, so a
 * rotation never leaves some rows under each key. The new key comes from standard input, or is
 * generated. A key generated under DATA_DIR is replaced there; a key from the environment must be
 * changed there by the operator, which the command says.
 */
export async function rotateSecretKey(
  config: AppConfig,
  input: { newKey: string | undefined; generated: boolean; dryRun: boolean },
  out: CommandOutput,
): Promise<number> {
  const newKey = input.generated ? generateSecretKey() : (input.newKey ?? '').trim();
  if (!input.dryRun) {
    if (newKey.length < MIN_KEY_LENGTH) {
      throw new UsageError(`the new key must be at least ${MIN_KEY_LENGTH} characters (or use --generate)`);
    }
    if (newKey === config.security.secretKey) throw new UsageError('the new key is the current SECRET_KEY');
  }
  const oldCipher = cipherFor(config, config.security.secretKey);
  const dataSource = await openCurrentSchema(config);
  try {
    const { rows, unreadable } = await readSealed(dataSource, oldCipher);
    if (unreadable.length > 0) {
      out.error(`keel rotate-secret-key: ${unreadable.length} value(s) do not decrypt with the current SECRET_KEY:`);
      for (const line of unreadable) out.error(`  ${line}`);
      out.error('Nothing was changed. Run with the SECRET_KEY they were saved under, or delete those entries.');
      return 1;
    }
    const counts = SEALED_COLUMNS.map(
      (column) => `${rows.filter((row) => row.column === column).length} ${column.label}`,
    ).join(', ');
    if (input.dryRun) {
      out.say(`All ${rows.length} stored credential(s) decrypt with the current SECRET_KEY (${counts}).`);
      out.say('Nothing was changed (--dry-run).');
      return 0;
    }
    const newCipher = cipherFor(config, newKey);
    const staged = config.security.secretKeySource === 'data-dir' ? stageSecretKey(config.dataDir, newKey) : undefined;
    try {
      await runInTransaction(dataSource, async (manager) => {
        for (const row of rows) {
          await manager.update(row.column.entity, row.key, { [row.column.property]: newCipher.encrypt(row.plain) });
        }
      });
    } catch (error) {
      staged?.discard();
      throw error;
    }
    staged?.commit();
    await cliAudit(dataSource, {
      action: 'security.secret_key_rotated',
      workspaceId: null,
      metadata: { credentials: rows.length, key_source: config.security.secretKeySource },
    });
    out.say(`Re-encrypted ${rows.length} stored credential(s) under the new key (${counts}).`);
    if (staged) {
      out.say(`The new key replaced the one under DATA_DIR (${config.dataDir}/secret-key).`);
    } else {
      out.say(
        'Set SECRET_KEY to the new key wherever Keel reads it (every API and worker process) before they start again:',
      );
      if (input.generated) out.say(newKey);
    }
    out.say(
      'Restart every API and worker process now: they hold the old key. Console access tokens and signed ' +
        'file URLs made with the old key stop working.',
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

async function readSealed(
  dataSource: DataSource,
  cipher: CredentialCipher,
): Promise<{ rows: SealedRow[]; unreadable: string[] }> {
  const rows: SealedRow[] = [];
  const unreadable: string[] = [];
  for (const column of SEALED_COLUMNS) {
    const metadata = dataSource.getMetadata(column.entity);
    const keys = metadata.primaryColumns.map((c) => c.propertyName);
    const found = await dataSource.getRepository(column.entity).find({ select: [...keys, column.property] as never });
    for (const entity of found) {
      const key = Object.fromEntries(keys.map((k) => [k, entity[k] as unknown]));
      try {
        rows.push({ column, key, plain: cipher.decrypt(entity[column.property] as string) });
      } catch (error) {
        unreadable.push(`${metadata.tableName} ${Object.values(key).join('/')}: ${errorMessage(error)}`);
      }
    }
  }
  return { rows, unreadable };
}
