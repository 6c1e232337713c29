import { Column, Entity, PrimaryColumn } from 'typeorm';

export type InstallTaskStatus = 'pending' | 'running' | 'success' | 'failed';

/** One plugin of an install task, as Dify's console shows it. */
export interface InstallTaskItem {
  plugin_unique_identifier: string;
  plugin_id: string;
  status: InstallTaskStatus;
  /** Why it failed, or '' while it has not. */
  message: string;
  icon: string;
  labels: Record<string, string>;
}

/** An `install/pkg` request, carried out by the queue; the console polls it. */
@Entity('plugin_install_tasks')
export class PluginInstallTask {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: InstallTaskStatus;

  @Column({ name: 'total_plugins', type: 'integer' })
  totalPlugins!: number;

  @Column({ name: 'completed_plugins', type: 'integer' })
  completedPlugins!: number;

  @Column({ type: 'simple-json' })
  plugins!: InstallTaskItem[];

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
