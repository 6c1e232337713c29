import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import {
  booleanColumn,
  cascadeTo,
  idColumn,
  integerColumn,
  refColumn,
  stringColumn,
  textColumn,
  timeColumn,
} from '../portable-columns';

/** Console accounts, workspaces and members, invitations, refresh tokens, setup and audit log. */
export class ConsoleAccounts1763900000000 implements MigrationInterface {
  name = 'ConsoleAccounts1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string, nullable = false) => timeColumn(queryRunner, name, nullable);

    await queryRunner.createTable(
      new Table({
        name: 'setups',
        columns: [{ ...stringColumn('id', 16), isPrimary: true }, time('setup_at')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          idColumn(),
          stringColumn('name', 255),
          stringColumn('email', 255),
          stringColumn('password_hash', 255, true),
          stringColumn('status', 16),
          integerColumn('token_version'),
          { ...stringColumn('interface_language', 16), default: "'en-US'" },
          { ...stringColumn('timezone', 64), default: "'UTC'" },
          time('last_login_at', true),
          stringColumn('last_login_ip', 64, true),
          time('initialized_at', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_accounts_email', columnNames: ['email'], isUnique: true })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'workspaces',
        columns: [
          idColumn(),
          stringColumn('name', 255),
          { ...stringColumn('status', 16), default: "'normal'" },
          time('created_at'),
          time('updated_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'workspace_members',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          refColumn('account_id'),
          stringColumn('role', 32),
          booleanColumn('current'),
          refColumn('invited_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_workspace_members_workspace_account',
            columnNames: ['workspace_id', 'account_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_workspace_members_account', columnNames: ['account_id'] }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces'), cascadeTo('account_id', 'accounts')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'invitations',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          refColumn('account_id'),
          stringColumn('email', 255),
          stringColumn('token_hash', 64),
          refColumn('invited_by'),
          time('expires_at'),
          time('accepted_at', true),
          time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_invitations_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_invitations_workspace_account', columnNames: ['workspace_id', 'account_id'] }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces'), cascadeTo('account_id', 'accounts')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          idColumn(),
          refColumn('account_id'),
          refColumn('family_id'),
          stringColumn('token_hash', 64),
          time('expires_at'),
          time('rotated_at', true),
          time('revoked_at', true),
          time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_refresh_tokens_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_refresh_tokens_family', columnNames: ['family_id'] }),
          new TableIndex({ name: 'ix_refresh_tokens_account', columnNames: ['account_id'] }),
        ],
        foreignKeys: [cascadeTo('account_id', 'accounts')],
      }),
    );

    // No foreign keys: the log outlives what it mentions.
    await queryRunner.createTable(
      new Table({
        name: 'audit_logs',
        columns: [
          idColumn(),
          refColumn('workspace_id', true),
          refColumn('actor_id', true),
          stringColumn('actor_email', 255, true),
          stringColumn('action', 64),
          stringColumn('target_type', 32, true),
          refColumn('target_id', true),
          stringColumn('ip', 64, true),
          stringColumn('user_agent', 512, true),
          textColumn('metadata'),
          time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_logs_workspace_created', columnNames: ['workspace_id', 'created_at'] }),
          new TableIndex({ name: 'ix_audit_logs_workspace_action', columnNames: ['workspace_id', 'action'] }),
          new TableIndex({ name: 'ix_audit_logs_workspace_actor', columnNames: ['workspace_id', 'actor_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_logs',
      'refresh_tokens',
      'invitations',
      'workspace_members',
      'workspaces',
      'accounts',
      'setups',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
