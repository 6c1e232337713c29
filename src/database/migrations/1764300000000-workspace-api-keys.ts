import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { cascadeTo, idColumn, refColumn, stringColumn, textColumn, timeColumn } from '../portable-columns';

/** Workspace API keys (`sk-keel-…`) for the OpenAI-compatible face. */
export class WorkspaceApiKeys1764300000000 implements MigrationInterface {
  name = 'WorkspaceApiKeys1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string, nullable = false) => timeColumn(queryRunner, name, nullable);
    const nullableInteger = (name: string) => ({ name, type: 'integer', isNullable: true });
    await queryRunner.createTable(
      new Table({
        name: 'workspace_api_keys',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('name', 100),
          stringColumn('token_hash', 64),
          stringColumn('token_tail', 8),
          // JSON array of app ids (TypeORM's simple-json); null = every app of the workspace.
          textColumn('app_ids'),
          time('expires_at', true),
          nullableInteger('rpm'),
          nullableInteger('max_concurrent_requests'),
          time('last_used_at', true),
          refColumn('created_by', true),
          time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_workspace_api_keys_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_workspace_api_keys_workspace', columnNames: ['workspace_id', 'created_at'] }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('workspace_api_keys');
  }
}
