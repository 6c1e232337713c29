import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AppModelConfig } from './app-model-config';

export const APP_MODES = ['chat', 'completion', 'agent-chat', 'workflow', 'advanced-chat'] as const;
export type AppMode = (typeof APP_MODES)[number];

/** An LLM application: a mode, a model configuration, and its API switch and limits. */
@Entity('apps')
export class App {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  mode!: AppMode;

  /**
   * The app's model id on the OpenAI-compatible API: from its name at creation, unique in the
   * workspace, and kept when the app is renamed so that clients' configurations keep working.
   */
  @Column({ type: 'varchar', length: 64 })
  slug!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'icon_type', type: 'varchar', length: 16, default: 'emoji' })
  iconType!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  icon!: string | null;

  @Column({ name: 'icon_background', type: 'varchar', length: 32, nullable: true })
  iconBackground!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'normal' })
  status!: 'normal' | 'disabled';

  @Column({ name: 'enable_api', type: 'boolean', default: true })
  enableApi!: boolean;

  /** Requests per minute over all of the app's keys; null = the deployment default (APP_API_RPM). */
  @Column({ name: 'api_rpm', type: 'integer', nullable: true })
  apiRpm!: number | null;

  /** Concurrent requests; null = the deployment default (APP_MAX_ACTIVE_REQUESTS). */
  @Column({ name: 'api_max_active_requests', type: 'integer', nullable: true })
  apiMaxActiveRequests!: number | null;

  /** Null until a model is configured; the app cannot run before. */
  @Column({ name: 'model_config', type: 'simple-json', nullable: true })
  modelConfig!: AppModelConfig | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
