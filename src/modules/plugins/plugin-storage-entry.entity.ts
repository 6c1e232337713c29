import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One key of a plugin's key-value storage in one workspace (backwards `storage` calls). */
@Entity('plugin_storage')
export class PluginStorageEntry {
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** `author/name`: a plugin's storage outlives its versions. */
  @PrimaryColumn({ name: 'plugin_id', type: 'varchar', length: 200 })
  pluginId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** The value, base64 as it travels. */
  @Column({ type: 'text' })
  value!: string;

  /** Decoded bytes, summed against the manifest's `storage.size`. */
  @Column({ type: 'integer' })
  size!: number;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
