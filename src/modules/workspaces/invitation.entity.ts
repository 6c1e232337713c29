import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An emailed invitation of a new (pending) account. Only the token's SHA-256 is stored; the
 * token itself travels in the activation link.
 */
@Entity('invitations')
export class Invitation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 255 })
  email!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'invited_by', type: 'varchar', length: 36 })
  invitedBy!: string;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'accepted_at', type: Date, nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
