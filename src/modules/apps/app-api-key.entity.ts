import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An app's Service API key (`app-…`), kept as a SHA-256 hash; the whole key is shown once. */
@Entity('app_api_keys')
export class AppApiKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'app_id', type: 'varchar', length: 36 })
  appId!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The last four characters, to tell keys apart in lists (`app-****abcd`). */
  @Column({ name: 'token_tail', type: 'varchar', length: 8 })
  tokenTail!: string;

  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
