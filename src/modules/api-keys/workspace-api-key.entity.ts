import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A workspace API key (`sk-keel-…`) for the OpenAI-compatible face: one key that sees every
 * API-enabled app of its workspace, or only those in `appIds`. Kept as a SHA-256 hash; the whole
 * key is shown once, in the answer to its creation.
 */
@Entity('workspace_api_keys')
export class WorkspaceApiKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** What the key is for, as its creator put it ("Open WebUI", "CI"). */
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Index('uq_workspace_api_keys_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The last four characters, to tell keys apart in lists (`sk-keel-****abcd`). */
  @Column({ name: 'token_tail', type: 'varchar', length: 8 })
  tokenTail!: string;

  /**
   * The apps the key may use; null means every app of the workspace, now or later. Deleting an
   * app leaves its id here on purpose: the allowlist then names an app that no longer exists,
   * which the /v1 side skips, and nothing has to rewrite keys when apps go.
   */
  @Column({ name: 'app_ids', type: 'simple-json', nullable: true })
  appIds!: string[] | null;

  /** After this instant the key no longer authenticates; null = never expires. */
  @Column({ name: 'expires_at', type: Date, nullable: true })
  expiresAt!: Date | null;

  /** Requests per minute allowed to this key across its apps; null = no key-level limit. */
  @Column({ type: 'integer', nullable: true })
  rpm!: number | null;

  /** Requests this key may have in flight at once; null = no key-level limit. */
  @Column({ name: 'max_concurrent_requests', type: 'integer', nullable: true })
  maxConcurrentRequests!: number | null;

  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
