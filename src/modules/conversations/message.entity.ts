import { Column, Entity, PrimaryColumn } from 'typeorm';

export type MessageStatus = 'running' | 'normal' | 'stopped' | 'error';

/** One turn: the query, the answer as far as it got, and what it cost. */
@Entity('messages')
export class Message {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'varchar', length: 36 })
  appId!: string;

  /** Null for completion apps. */
  @Column({ name: 'conversation_id', type: 'varchar', length: 36, nullable: true })
  conversationId!: string | null;

  @Column({ name: 'end_user_id', type: 'varchar', length: 36 })
  endUserId!: string;

  @Column({ name: 'task_id', type: 'varchar', length: 36 })
  taskId!: string;

  @Column({ type: 'simple-json' })
  inputs!: Record<string, unknown>;

  @Column({ type: 'text' })
  query!: string;

  @Column({ type: 'text' })
  answer!: string;

  @Column({ type: 'simple-json', nullable: true })
  files!: unknown[] | null;

  @Column({ type: 'varchar', length: 16 })
  status!: MessageStatus;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'model_provider', type: 'varchar', length: 64 })
  modelProvider!: string;

  @Column({ name: 'model_id', type: 'varchar', length: 255 })
  modelId!: string;

  @Column({ name: 'message_tokens', type: 'integer', default: 0 })
  messageTokens!: number;

  @Column({ name: 'answer_tokens', type: 'integer', default: 0 })
  answerTokens!: number;

  /** Per-1K-token prices and the total, as decimal strings (no float rounding). */
  @Column({ name: 'message_unit_price', type: 'varchar', length: 32, default: '0' })
  messageUnitPrice!: string;

  @Column({ name: 'answer_unit_price', type: 'varchar', length: 32, default: '0' })
  answerUnitPrice!: string;

  @Column({ name: 'total_price', type: 'varchar', length: 32, default: '0' })
  totalPrice!: string;

  @Column({ type: 'varchar', length: 8, default: 'USD' })
  currency!: string;

  @Column({ name: 'latency_ms', type: 'integer', default: 0 })
  latencyMs!: number;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
