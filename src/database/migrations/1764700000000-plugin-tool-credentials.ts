import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { cascadeTo, refColumn, stringColumn, textColumn, timeColumn } from '../portable-columns';

/** Workspaces' credentials for plugin tool providers. */
export class PluginToolCredentials1764700000000 implements MigrationInterface {
  name = 'PluginToolCredentials1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'plugin_tool_credentials',
        columns: [
          { ...refColumn('workspace_id'), isPrimary: true },
          { ...stringColumn('provider', 300), isPrimary: true },
          textColumn('encrypted_credentials', false),
          refColumn('updated_by', true),
          timeColumn(queryRunner, 'updated_at'),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('plugin_tool_credentials');
  }
}
