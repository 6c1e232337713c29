import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A file an end user uploaded through the Service API; its bytes live in object storage. */
@Entity('upload_files')
export class UploadFile {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'varchar', length: 36 })
  appId!: string;

  @Column({ name: 'end_user_id', type: 'varchar', length: 36 })
  endUserId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'varchar', length: 16 })
  extension!: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 127 })
  mimeType!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 255 })
  storageKey!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
