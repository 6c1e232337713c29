import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { cascadeTo, idColumn, refColumn, stringColumn, timeColumn } from '../portable-columns';

/** Files uploaded through the Service API (their bytes are in object storage). */
export class UploadFiles1764200000000 implements MigrationInterface {
  name = 'UploadFiles1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'upload_files',
        columns: [
          idColumn(),
          refColumn('workspace_id'),
          refColumn('app_id'),
          refColumn('end_user_id'),
          stringColumn('name', 255),
          { name: 'size', type: 'integer', isNullable: false },
          stringColumn('extension', 16),
          stringColumn('mime_type', 127),
          stringColumn('storage_key', 255),
          timeColumn(queryRunner, 'created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_upload_files_app_user', columnNames: ['app_id', 'end_user_id'] })],
        foreignKeys: [cascadeTo('app_id', 'apps')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('upload_files');
  }
}
