import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who an API caller says its user is (the `user` argument), per app. */
@Entity('end_users')
export class EndUser {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'varchar', length: 36 })
  appId!: string;

  /** The caller's `user` string, as given. */
  @Column({ name: 'session_id', type: 'varchar', length: 255 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 32, default: 'service_api' })
  type!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
