import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PluginManifest, VerificationResult } from '@keel/plugin-package';

/**
 * One package version the server holds, shared by every workspace that installs it: uploaded
 * once (the package itself is kept in object storage), unpacked on each machine that runs it.
 * Its identity is content-addressed (`author/name:version@checksum`), so two uploads of the same
 * files are one row.
 */
@Entity('plugins')
export class PluginVersion {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** `author/name:version@checksum`. */
  @Column({ name: 'unique_identifier', type: 'varchar', length: 300 })
  uniqueIdentifier!: string;

  /** `author/name`. */
  @Column({ name: 'plugin_id', type: 'varchar', length: 200 })
  pluginId!: string;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  /** SHA-256 (hex) over the package's files. */
  @Column({ type: 'varchar', length: 64 })
  checksum!: string;

  @Column({ type: 'simple-json' })
  manifest!: PluginManifest;

  /** The signature check at the last upload or install, under the keys trusted then. */
  @Column({ type: 'simple-json' })
  verification!: VerificationResult;

  /** Where the `.keelpkg` is kept in object storage. */
  @Column({ name: 'package_key', type: 'varchar', length: 400 })
  packageKey!: string;

  @Column({ name: 'package_size', type: 'integer' })
  packageSize!: number;

  @Column({ name: 'uploaded_by', type: 'varchar', length: 36, nullable: true })
  uploadedBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
