import { writeFileSync } from 'node:fs';
import type { AppConfig } from '../config/app-config';
import { App } from '../modules/apps/app.entity';
import { PluginInstallation } from '../modules/plugins/plugin-installation.entity';
import { PluginToolCredential } from '../modules/plugins/plugin-tool-credential.entity';
import { ProviderCredential } from '../modules/providers/provider-credential.entity';
import { API_TOOL_SECRET_CREDENTIAL_FIELDS } from '../modules/tools/api/api-credentials';
import { ApiToolProvider } from '../modules/tools/api-tool-provider.entity';
import { Workspace } from '../modules/workspaces/workspace.entity';
import { builtInProviders } from './built-in-providers';
import { cliAudit } from './cli-audit';
import { openCurrentSchema } from './cli-database';
import type { CommandOutput } from './command-output';
import { sealWithPassphrase } from './passphrase-seal';
import { cipherFor } from './cipher-for-key';
import { UsageError } from './usage.error';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportedSecrets, type WorkspaceExport } from './workspace-export.document';

const MIN_PASSPHRASE_LENGTH = 12;

/** The credentials without their secret fields. */
function withoutSecrets(
  credentials: Record<string, unknown>,
  secretFields: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(credentials).filter(([field]) => !secretFields.includes(field)));
}

/**
 * `keel export --workspace <id> [--output FILE] [--include-secrets]`: the workspace's apps, model
 * provider settings, API tool providers and plugin tool providers as one JSON document (standard
 * output, or a new file). Without `--include-secrets` no secret leaves the server; with it, every
 * credential is sealed under a passphrase read from standard input.
 */
export async function exportWorkspace(
  config: AppConfig,
  input: { workspace?: string; output?: string; includeSecrets: boolean; passphrase: () => Promise<string> },
  out: CommandOutput,
): Promise<number> {
  if (!input.workspace) throw new UsageError('--workspace <id> is required');
  const passphrase = input.includeSecrets ? await input.passphrase() : undefined;
  if (passphrase !== undefined && passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new UsageError(`the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  const dataSource = await openCurrentSchema(config);
  let document: WorkspaceExport;
  try {
    const workspace = await dataSource.getRepository(Workspace).findOneBy({ id: input.workspace });
    if (!workspace) throw new UsageError(`--workspace ${input.workspace}: no such workspace`);
    const where = { workspaceId: workspace.id };
    const [apps, providerRows, apiTools, pluginTools, plugins] = await Promise.all([
      dataSource.getRepository(App).find({ where, order: { createdAt: 'ASC' } }),
      dataSource.getRepository(ProviderCredential).find({ where, order: { provider: 'ASC' } }),
      dataSource.getRepository(ApiToolProvider).find({ where, order: { createdAt: 'ASC' } }),
      dataSource.getRepository(PluginToolCredential).find({ where, order: { provider: 'ASC' } }),
      dataSource.getRepository(PluginInstallation).find({ where, order: { pluginId: 'ASC' } }),
    ]);
    const cipher = cipherFor(config, config.security.secretKey);
    const builtIn = builtInProviders(config);
    const secrets: ExportedSecrets = { model_providers: {}, api_tool_providers: {}, plugin_tool_providers: {} };
    const modelProviders = providerRows.map((row) => {
      const credentials = cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials);
      secrets.model_providers[row.provider] = credentials;
      // A plugin's provider declares its fields in the plugin: all of them count as secret here.
      const secretFields = builtIn.get(row.provider)?.secretFields ?? Object.keys(credentials);
      return {
        provider: row.provider,
        credentials: withoutSecrets(credentials, secretFields),
        secret_fields: Object.keys(credentials).filter((field) => secretFields.includes(field)),
      };
    });
    const apiToolProviders = apiTools.map((row) => {
      const credentials = cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials);
      secrets.api_tool_providers[row.id] = credentials;
      return {
        id: row.id,
        name: row.name,
        icon: row.icon,
        description: row.description,
        schema_type: row.schemaType,
        schema: row.schema,
        privacy_policy: row.privacyPolicy,
        custom_disclaimer: row.customDisclaimer,
        labels: row.labels,
        tools: row.tools,
        credentials: withoutSecrets(credentials, API_TOOL_SECRET_CREDENTIAL_FIELDS),
      };
    });
    for (const row of pluginTools) {
      secrets.plugin_tool_providers[row.provider] = cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials);
    }
    document = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exported_at: new Date().toISOString(),
      keel_version: config.version,
      workspace: { id: workspace.id, name: workspace.name },
      apps: apps.map((app) => ({
        id: app.id,
        name: app.name,
        mode: app.mode,
        slug: app.slug,
        description: app.description,
        icon_type: app.iconType,
        icon: app.icon,
        icon_background: app.iconBackground,
        status: app.status,
        enable_api: app.enableApi,
        api_rpm: app.apiRpm,
        api_max_active_requests: app.apiMaxActiveRequests,
        model_config: app.modelConfig,
      })),
      model_providers: modelProviders,
      api_tool_providers: apiToolProviders,
      plugin_tool_providers: pluginTools.map((row) => ({ provider: row.provider })),
      plugins: plugins.map((p) => ({ plugin_id: p.pluginId, plugin_unique_identifier: p.pluginUniqueIdentifier })),
      secrets: passphrase === undefined ? null : await sealWithPassphrase(secrets, passphrase),
    };
    await cliAudit(dataSource, {
      action: 'workspace.exported',
      workspaceId: workspace.id,
      target: { type: 'workspace', id: workspace.id },
      metadata: { include_secrets: passphrase !== undefined, apps: apps.length },
    });
  } finally {
    await dataSource.destroy();
  }
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const summary =
    `${document.apps.length} app(s), ${document.model_providers.length} model provider(s), ` +
    `${document.api_tool_providers.length} API tool provider(s), ` +
    `${document.plugin_tool_providers.length} plugin tool provider(s); ` +
    (document.secrets ? 'secrets sealed with the passphrase' : 'no secrets (--include-secrets adds them)');
  if (!input.output) {
    process.stdout.write(text);
    out.error(`Exported workspace "${document.workspace.name}": ${summary}.`);
    return 0;
  }
  try {
    // A new file only, readable by its owner: it may hold sealed secrets, and an export never overwrites.
    writeFileSync(input.output, text, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`--output ${input.output} already exists`);
    throw error;
  }
  out.say(`Exported workspace "${document.workspace.name}" to ${input.output}: ${summary}.`);
  return 0;
}
