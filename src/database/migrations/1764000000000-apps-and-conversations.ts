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

/** Model provider credentials, apps and their API keys, end users, conversations and messages. */
export class AppsAndConversations1764000000000 implements MigrationInterface {
  name = 'AppsAndConversations1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string, nullable = false) => timeColumn(queryRunner, name, nullable);
    const nullableInteger = (name: string) => ({ name, type: 'integer', isNullable: true });

    await queryRunner.createTable(
      new Table({
        name: 'provider_credentials',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('provider', 64),
          textColumn('encrypted_credentials', false),
          refColumn('updated_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_provider_credentials_workspace_provider',
            columnNames: ['workspace_id', 'provider'],
            isUnique: true,
          }),
        ],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'apps',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          stringColumn('name', 255),
          stringColumn('mode', 32),
          textColumn('description', false),
          { ...stringColumn('icon_type', 16), default: "'emoji'" },
          stringColumn('icon', 255, true),
          stringColumn('icon_background', 32, true),
          { ...stringColumn('status', 16), default: "'normal'" },
          booleanColumn('enable_api', true),
          nullableInteger('api_rpm'),
          nullableInteger('api_max_active_requests'),
          textColumn('model_config'),
          refColumn('created_by', true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [new TableIndex({ name: 'ix_apps_workspace_created', columnNames: ['workspace_id', 'created_at'] })],
        foreignKeys: [cascadeTo('workspace_id', 'workspaces')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'app_api_keys',
        columns: [
          idColumn(),
          refColumn('app_id'),
          refColumn('workspace_id'),
          stringColumn('token_hash', 64),
          stringColumn('token_tail', 8),
          time('last_used_at', true),
          refColumn('created_by', true),
          time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_app_api_keys_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_app_api_keys_app', columnNames: ['app_id'] }),
        ],
        foreignKeys: [cascadeTo('app_id', 'apps')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'end_users',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          refColumn('app_id'),
          stringColumn('session_id', 255),
          { ...stringColumn('type', 32), default: "'service_api'" },
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_end_users_app_session', columnNames: ['app_id', 'session_id'], isUnique: true }),
        ],
        foreignKeys: [cascadeTo('app_id', 'apps')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'conversations',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          refColumn('app_id'),
          refColumn('end_user_id'),
          stringColumn('name', 255),
          textColumn('inputs', false),
          { ...stringColumn('status', 16), default: "'normal'" },
          integerColumn('dialogue_count'),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ix_conversations_app_user_updated',
            columnNames: ['app_id', 'end_user_id', 'updated_at'],
          }),
        ],
        foreignKeys: [cascadeTo('app_id', 'apps'), cascadeTo('end_user_id', 'end_users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          refColumn('app_id'),
          refColumn('conversation_id', true),
          refColumn('end_user_id'),
          refColumn('task_id'),
          textColumn('inputs', false),
          textColumn('query', false),
          textColumn('answer', false),
          textColumn('files'),
          stringColumn('status', 16),
          textColumn('error'),
          stringColumn('model_provider', 64),
          stringColumn('model_id', 255),
          integerColumn('message_tokens'),
          integerColumn('answer_tokens'),
          { ...stringColumn('message_unit_price', 32), default: "'0'" },
          { ...stringColumn('answer_unit_price', 32), default: "'0'" },
          { ...stringColumn('total_price', 32), default: "'0'" },
          { ...stringColumn('currency', 8), default: "'USD'" },
          integerColumn('latency_ms'),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_messages_conversation_created', columnNames: ['conversation_id', 'created_at'] }),
          new TableIndex({ name: 'ix_messages_app_created', columnNames: ['app_id', 'created_at'] }),
        ],
        foreignKeys: [cascadeTo('app_id', 'apps'), cascadeTo('conversation_id', 'conversations')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['messages', 'conversations', 'end_users', 'app_api_keys', 'apps', 'provider_credentials']) {
      await queryRunner.dropTable(table);
    }
  }
}
