import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, refColumn, stringColumn, timeColumn } from '../portable-columns';

/** The SSO identities linked to console accounts: one per provider and account. */
export class AccountIntegrations1763950000000 implements MigrationInterface {
  name = 'AccountIntegrations1763950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'account_integrations',
        columns: [
          idColumn(),
          refColumn('account_id'),
          stringColumn('provider', 16),
          stringColumn('subject', 255),
          stringColumn('email', 255, true),
          timeColumn(queryRunner, 'created_at'),
          timeColumn(queryRunner, 'updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_account_integrations_provider_subject',
            columnNames: ['provider', 'subject'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'uq_account_integrations_account_provider',
            columnNames: ['account_id', 'provider'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('account_integrations');
  }
}
