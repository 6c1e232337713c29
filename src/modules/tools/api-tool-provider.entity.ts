import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A workspace's custom API tool provider: the schema as the user gave it, the operations parsed
 * from it, and its credentials sealed by `CredentialCipher`.
 */
@Entity('tool_api_providers')
export class ApiToolProvider {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** Unique in the workspace; the console addresses providers by name (Dify's `provider`). */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** Dify's icon object (`{background, content}` for an emoji) or a URL. */
  @Column({ type: 'simple-json' })
  icon!: unknown;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'schema_type', type: 'varchar', length: 32 })
  schemaType!: string;

  @Column({ type: 'text' })
  schema!: string;

  /** The parsed operations (`ApiToolBundle[]`), so runs never re-parse the schema. */
  @Column({ type: 'simple-json' })
  tools!: unknown[];

  @Column({ name: 'encrypted_credentials', type: 'text' })
  encryptedCredentials!: string;

  @Column({ name: 'privacy_policy', type: 'varchar', length: 255 })
  privacyPolicy!: string;

  @Column({ name: 'custom_disclaimer', type: 'text' })
  customDisclaimer!: string;

  @Column({ type: 'simple-json' })
  labels!: string[];

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
