import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import {
  cascadeTo,
  idColumn,
  integerColumn,
  refColumn,
  stringColumn,
  textColumn,
  timeColumn,
} from '../portable-columns';

/** Custom API tool providers, and the steps of agent turns. */
export class ToolsAndAgentThoughts1764400000000 implements MigrationInterface {
  name = 'ToolsAndAgentThoughts1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string) => timeColumn(queryRunner, name);
    await queryRunner.createTable(
      new Table({
        name: 'tool_api_providers',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('name', 64),
          textColumn('icon', false),
          textColumn('description', false),
          stringColumn('schema_type', 32),
          textColumn('schema', false),
          textColumn('tools', false),
          textColumn('encrypted_credentials', false),
          stringColumn('privacy_policy', 255),
          textColumn('custom_disclaimer', false),
          textColumn('labels', false),
          refColumn('created_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_tool_api_providers_workspace_name',
            columnNames: ['workspace_id', 'name'],
            isUnique: true,
          }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'message_agent_thoughts',
        columns: [
          idColumn(),
          refColumn('message_id'),
          refColumn('workspace_id'),
          integerColumn('position'),
          textColumn('thought', false),
          textColumn('tool', false),
          textColumn('tool_labels', false),
          textColumn('tool_input', false),
          textColumn('observation', false),
          textColumn('files', false),
          time('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ix_message_agent_thoughts_message',
            columnNames: ['message_id', 'position'],
          }),
        ],
        foreignKeys: [cascadeTo('message_id', 'messages')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('message_agent_thoughts');
    await queryRunner.dropTable('tool_api_providers');
  }
}
