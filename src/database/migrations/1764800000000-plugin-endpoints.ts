import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { booleanColumn, cascadeTo, idColumn, refColumn, stringColumn, textColumn, timeColumn } from '../portable-columns';

/** Endpoint plugins set up in workspaces (`/e/<hook_id>/…`). */
export class PluginEndpoints1764800000000 implements MigrationInterface {
  name = 'PluginEndpoints1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string) => timeColumn(queryRunner, name);
    await queryRunner.createTable(
      new Table({
        name: 'plugin_endpoints',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('plugin_id', 200),
          stringColumn('hook_id', 64),
          stringColumn('name', 255),
          textColumn('encrypted_settings', false),
          booleanColumn('enabled', true),
          refColumn('created_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_plugin_endpoints_hook', columnNames: ['hook_id'], isUnique: true }),
          new TableIndex({ name: 'ix_plugin_endpoints_workspace', columnNames: ['workspace_id', 'plugin_id'] }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('plugin_endpoints');
  }
}
