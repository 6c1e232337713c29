import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { cascadeTo, idColumn, refColumn, stringColumn, textColumn, timeColumn } from '../portable-columns';

/** End users' feedback on messages. */
export class MessageFeedbacks1764100000000 implements MigrationInterface {
  name = 'MessageFeedbacks1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string) => timeColumn(queryRunner, name);
    await queryRunner.createTable(
      new Table({
        name: 'message_feedbacks',
        columns: [
          idColumn(),
          refColumn('app_id'),
          refColumn('conversation_id', true),
          refColumn('message_id'),
          refColumn('end_user_id'),
          stringColumn('rating', 16),
          textColumn('content'),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_message_feedbacks_message_user',
            columnNames: ['message_id', 'end_user_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_message_feedbacks_app_created', columnNames: ['app_id', 'created_at'] }),
        ],
        foreignKeys: [cascadeTo('message_id', 'messages'), cascadeTo('app_id', 'apps')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('message_feedbacks');
  }
}
