import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { WorkspaceRole } from './workspace-role';

/** An account's membership of a workspace; `current` marks the one its console requests act in. */
@Entity('workspace_members')
export class WorkspaceMember {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  role!: WorkspaceRole;

  @Column({ type: 'boolean', default: false })
  current!: boolean;

  @Column({ name: 'invited_by', type: 'varchar', length: 36, nullable: true })
  invitedBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
