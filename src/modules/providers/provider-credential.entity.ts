import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A workspace's credentials for one model provider, sealed by `CredentialCipher`. */
@Entity('provider_credentials')
export class ProviderCredential {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ name: 'encrypted_credentials', type: 'text' })
  encryptedCredentials!: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 36, nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
