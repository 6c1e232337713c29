import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An end user's like or dislike of a message (one per message and end user). */
@Entity('message_feedbacks')
export class MessageFeedback {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'app_id', type: 'varchar', length: 36 })
  appId!: string;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36, nullable: true })
  conversationId!: string | null;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ name: 'end_user_id', type: 'varchar', length: 36 })
  endUserId!: string;

  @Column({ type: 'varchar', length: 16 })
  rating!: 'like' | 'dislike';

  @Column({ type: 'text', nullable: true })
  content!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
