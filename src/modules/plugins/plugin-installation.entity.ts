import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A workspace's installation of one plugin, at one version (at most one version per plugin per workspace). */
@Entity('plugin_installations')
export class PluginInstallation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** `author/name`: unique in the workspace. */
  @Column({ name: 'plugin_id', type: 'varchar', length: 200 })
  pluginId!: string;

  /** The installed `PluginVersion`. */
  @Column({ name: 'version_id', type: 'varchar', length: 36 })
  versionId!: string;

  @Column({ name: 'plugin_unique_identifier', type: 'varchar', length: 300 })
  pluginUniqueIdentifier!: string;

  /** A disabled plugin stays installed but offers nothing to the workspace's apps. */
  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'installed_by', type: 'varchar', length: 36, nullable: true })
  installedBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
