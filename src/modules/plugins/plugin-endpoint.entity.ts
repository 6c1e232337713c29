import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An endpoint plugin set up in a workspace: served at `/e/<hook_id>/…` with its own settings. */
@Entity('plugin_endpoints')
export class PluginEndpoint {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** `author/name`: the endpoint follows the workspace's installation of the plugin across upgrades. */
  @Column({ name: 'plugin_id', type: 'varchar', length: 200 })
  pluginId!: string;

  /** Unguessable: the URL is the endpoint's only address. */
  @Column({ name: 'hook_id', type: 'varchar', length: 64 })
  hookId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** The settings the workspace gave, sealed by `CredentialCipher` (they often hold tokens). */
  @Column({ name: 'encrypted_settings', type: 'text' })
  encryptedSettings!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
