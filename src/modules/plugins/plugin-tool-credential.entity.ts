import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A workspace's credentials for one plugin tool provider, sealed by `CredentialCipher`. */
@Entity('plugin_tool_credentials')
export class PluginToolCredential {
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** `author/plugin/provider`. */
  @PrimaryColumn({ type: 'varchar', length: 300 })
  provider!: string;

  @Column({ name: 'encrypted_credentials', type: 'text' })
  encryptedCredentials!: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 36, nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
