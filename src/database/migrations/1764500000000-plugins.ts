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

/** Plugin package versions, workspaces' installations of them, install tasks and who may install. */
export class Plugins1764500000000 implements MigrationInterface {
  name = 'Plugins1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string) => timeColumn(queryRunner, name);
    await queryRunner.createTable(
      new Table({
        name: 'plugins',
        columns: [
          idColumn(),
          stringColumn('unique_identifier', 300),
          stringColumn('plugin_id', 200),
          stringColumn('version', 64),
          stringColumn('checksum', 64),
          textColumn('manifest', false),
          textColumn('verification', false),
          stringColumn('package_key', 400),
          integerColumn('package_size'),
          refColumn('uploaded_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_plugins_unique_identifier', columnNames: ['unique_identifier'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'plugin_installations',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('plugin_id', 200),
          refColumn('version_id'),
          stringColumn('plugin_unique_identifier', 300),
          booleanColumn('enabled', true),
          refColumn('installed_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_plugin_installations_workspace_plugin',
            columnNames: ['workspace_id', 'plugin_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_plugin_installations_version', columnNames: ['version_id'] }),
        ],
        foreignKeys: [
          cascadeTo('workspace_id', 'workspaces'),
          // A version goes only once no workspace has it installed.
          { columnNames: ['version_id'], referencedTableName: 'plugins', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'plugin_install_tasks',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('status', 16),
          integerColumn('total_plugins'),
          integerColumn('completed_plugins'),
          textColumn('plugins', false),
          refColumn('created_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_plugin_install_tasks_workspace', columnNames: ['workspace_id', 'created_at'] }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'workspace_plugin_permissions',
        columns: [
          { ...refColumn('workspace_id'), isPrimary: true },
          stringColumn('install_permission', 16),
          stringColumn('debug_permission', 16),
          time('updated_at'),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('workspace_plugin_permissions');
    await queryRunner.dropTable('plugin_install_tasks');
    await queryRunner.dropTable('plugin_installations');
    await queryRunner.dropTable('plugins');
  }
}
