import { z } from 'zod';
import { APP_MODES } from '../modules/apps/app.entity';
import { sealedSchema } from './passphrase-seal';

export const EXPORT_FORMAT = 'keel-workspace-export';
export const EXPORT_VERSION = 1;

const credentials = z.record(z.string(), z.unknown());

export const exportedAppSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(255),
  mode: z.enum(APP_MODES),
  slug: z.string().min(1).max(64),
  description: z.string(),
  icon_type: z.string().max(16),
  icon: z.string().max(255).nullable(),
  icon_background: z.string().max(32).nullable(),
  status: z.enum(['normal', 'disabled']),
  enable_api: z.boolean(),
  api_rpm: z.number().int().nullable(),
  api_max_active_requests: z.number().int().nullable(),
  /** Checked against the app model configuration schema when imported. */
  model_config: z.unknown().nullable(),
});

export const exportedApiToolProviderSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(64),
  icon: z.unknown(),
  description: z.string(),
  schema_type: z.string().max(32),
  schema: z.string(),
  privacy_policy: z.string().max(255),
  custom_disclaimer: z.string(),
  labels: z.array(z.string()),
  /** The operations as parsed when exported; used only where the schema cannot be parsed again offline. */
  tools: z.array(z.unknown()),
  /** Only the fields that are not secrets; the rest travel in `secrets`. */
  credentials,
});

/** What `secrets` holds once opened with the passphrase: whole credentials, by what they belong to. */
export const exportedSecretsSchema = z.object({
  model_providers: z.record(z.string(), credentials),
  api_tool_providers: z.record(z.string(), credentials),
  plugin_tool_providers: z.record(z.string(), credentials),
});

export type ExportedSecrets = z.infer<typeof exportedSecretsSchema>;

/**
 * A workspace's configuration as `keel export` writes it and `keel import` reads it: apps, model
 * provider settings, API tool providers and which plugin tool providers had credentials. Secrets
 * are either absent or sealed under the operator's passphrase. Conversations, files and keys are
 * data, not configuration: a database backup carries them.
 */
export const workspaceExportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exported_at: z.string(),
  keel_version: z.string(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  apps: z.array(exportedAppSchema),
  model_providers: z.array(
    z.object({
      provider: z.string().min(1).max(300),
      credentials,
      /** The secret fields the provider had, absent from `credentials`: it cannot be used without them. */
      secret_fields: z.array(z.string()),
    }),
  ),
  api_tool_providers: z.array(exportedApiToolProviderSchema),
  plugin_tool_providers: z.array(z.object({ provider: z.string().min(1).max(300) })),
  /** The plugins installed when exported: an import reports those the target lacks. */
  plugins: z.array(z.object({ plugin_id: z.string(), plugin_unique_identifier: z.string() })),
  secrets: sealedSchema.nullable(),
});

export type WorkspaceExport = z.infer<typeof workspaceExportSchema>;
export type ExportedApp = z.infer<typeof exportedAppSchema>;
