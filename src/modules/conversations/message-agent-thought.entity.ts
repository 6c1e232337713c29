import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One step of an agent turn (Dify's `message_agent_thoughts`): what the model said, which tools it
 * called with which input, and what they answered. Written with its message when the turn ends.
 */
@Entity('message_agent_thoughts')
export class MessageAgentThought {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** 1-based order within the turn. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  thought!: string;

  /** Tool names called in this step, `a;b` (Dify's format); empty for the final answer. */
  @Column({ type: 'text' })
  tool!: string;

  /** JSON text: each tool's label by name. */
  @Column({ name: 'tool_labels', type: 'simple-json' })
  toolLabels!: Record<string, Record<string, string>>;

  /** JSON text `{tool: arguments}` (Dify's format); empty when no tool was called. */
  @Column({ name: 'tool_input', type: 'text' })
  toolInput!: string;

  /** JSON text `{tool: result}` (Dify's format); empty when no tool was called. */
  @Column({ type: 'text' })
  observation!: string;

  /** Ids of files the tools produced (stored uploads). */
  @Column({ type: 'simple-json' })
  files!: string[];

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
