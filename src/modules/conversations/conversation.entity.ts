import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A chat between one end user and one app. */
@Entity('conversations')
export class Conversation {
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

  /**
   * The client's own id for this chat (OpenAI-compatible API: `X-Conversation-Id`, Open WebUI's
   * `X-OpenWebUI-Chat-Id`), unique per app and end user; null for conversations started here.
   */
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  /** The inputs of its first message; later turns reuse them. */
  @Column({ type: 'simple-json' })
  inputs!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'normal' })
  status!: 'normal' | 'deleted';

  @Column({ name: 'dialogue_count', type: 'integer', default: 0 })
  dialogueCount!: number;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
