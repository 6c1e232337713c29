import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { cascadeTo, integerColumn, refColumn, stringColumn, textColumn, timeColumn } from '../portable-columns';

/** Plugins' key-value storage, per workspace and plugin (backwards `storage` calls). */
export class PluginStorage1764600000000 implements MigrationInterface {
  name = 'PluginStorage1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'plugin_storage',
        columns: [
          { ...refColumn('workspace_id'), isPrimary: true },
          { ...stringColumn('plugin_id', 200), isPrimary: true },
          { ...stringColumn('key', 255), isPrimary: true },
          textColumn('value', false),
          integerColumn('size'),
          timeColumn(queryRunner, 'updated_at'),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('plugin_storage');
  }
}
