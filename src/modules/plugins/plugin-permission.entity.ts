import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Dify's three levels: every member, owners and admins, or nobody at all. */
export const PLUGIN_PERMISSION_LEVELS = ['everyone', 'admins', 'noone'] as const;
export type PluginPermissionLevel = (typeof PLUGIN_PERMISSION_LEVELS)[number];

/** Who may manage a workspace's plugins; a workspace without a row lets everyone. */
@Entity('workspace_plugin_permissions')
export class PluginPermission {
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  /** Upload, install, uninstall, enable and disable. */
  @Column({ name: 'install_permission', type: 'varchar', length: 16 })
  installPermission!: PluginPermissionLevel;

  /** Kept and shown for Dify's console; Keel has no remote plugin debugging, so nothing checks it yet. */
  @Column({ name: 'debug_permission', type: 'varchar', length: 16 })
  debugPermission!: PluginPermissionLevel;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
