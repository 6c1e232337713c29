import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AppConfig } from '../config/app-config';
import { runInTransaction } from '../database/transaction';
import { type AppModelConfig, appModelConfigSchema } from '../modules/apps/app-model-config';
import { App } from '../modules/apps/app.entity';
import { uniqueSlug } from '../modules/apps/app-slug';
import { PluginInstallation } from '../modules/plugins/plugin-installation.entity';
import { PluginToolCredential } from '../modules/plugins/plugin-tool-credential.entity';
import { ProviderCredential } from '../modules/providers/provider-credential.entity';
import { apiToolCredentialsSchema } from '../modules/tools/api/api-credentials';
import { parseApiSchema } from '../modules/tools/api/api-schema.parser';
import { ApiToolProvider } from '../modules/tools/api-tool-provider.entity';
import { Workspace } from '../modules/workspaces/workspace.entity';
import { builtInProviders } from './built-in-providers';
import { cipherFor } from './cipher-for-key';
import { cliAudit } from './cli-audit';
import { openCurrentSchema } from './cli-database';
import type { CommandOutput } from './command-output';
import { openWithPassphrase, WrongPassphraseError } from './passphrase-seal';
import { UsageError } from './usage.error';
import {
  type ExportedSecrets,
  exportedSecretsSchema,
  type WorkspaceExport,
  workspaceExportSchema,
} from './workspace-export.document';

/** A problem with the file itself: reported with exit status 1, before anything is written. */
class ImportRefused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const issuePath = (path: PropertyKey[]) => path.map(String).join('.');

function readExport(file: string): WorkspaceExport {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code ? `--file ${file}: ${(error as Error).message}` : `--file ${file} is not JSON`);
  }
  const parsed = workspaceExportSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ImportRefused(
      parsed.error.issues
        .slice(0, 10)
        .map(
          (issue) =>
            `not a Keel workspace export (version 1): ${issuePath(issue.path) || 'the file'}: ${issue.message}`,
        ),
    );
  }
  return parsed.data;
}

/** Each app's configuration checked as the console would; every problem named by app. */
function checkedModelConfigs(document: WorkspaceExport): Map<string, AppModelConfig | null> {
  const configs = new Map<string, AppModelConfig | null>();
  const problems: string[] = [];
  for (const app of document.apps) {
    if (app.model_config === null) {
      configs.set(app.id, null);
      continue;
    }
    const parsed = appModelConfigSchema.safeParse(app.model_config);
    if (parsed.success) configs.set(app.id, parsed.data);
    else
      problems.push(
        `app "${app.name}": model_config.${issuePath(parsed.error.issues[0].path)}: ${parsed.error.issues[0].message}`,
      );
  }
  if (problems.length > 0) throw new ImportRefused(problems);
  return configs;
}

async function openSecrets(
  document: WorkspaceExport,
  passphrase: () => Promise<string>,
): Promise<ExportedSecrets | null> {
  if (!document.secrets) return null;
  const given = await passphrase();
  if (!given) throw new UsageError('this export holds sealed secrets: give its passphrase on standard input');
  try {
    return exportedSecretsSchema.parse(await openWithPassphrase(document.secrets, given));
  } catch (error) {
    if (error instanceof WrongPassphraseError) throw new ImportRefused([error.message]);
    throw error;
  }
}

/**
 * `keel import --workspace <id> --file FILE`: what `keel export` wrote, added to an existing
 * workspace (on this server or another) in one transaction — nothing is written when anything in
 * the file is wrong or collides with what the workspace has. Apps get new ids and keep their model
 * ids (`slug`) where free; agent tools follow their API tool providers to their new ids. Credentials
 * come from the sealed secrets (the passphrase on standard input); without them, what cannot work
 * without a secret is left out and named, for the console.
 */
export async function importWorkspace(
  config: AppConfig,
  input: { workspace?: string; file?: string; passphrase: () => Promise<string> },
  out: CommandOutput,
): Promise<number> {
  if (!input.workspace) throw new UsageError('--workspace <id> is required');
  if (!input.file) throw new UsageError('--file <export.json> is required');
  let document: WorkspaceExport;
  let configs: Map<string, AppModelConfig | null>;
  let secrets: ExportedSecrets | null;
  try {
    document = readExport(input.file);
    configs = checkedModelConfigs(document);
    secrets = await openSecrets(document, input.passphrase);
  } catch (error) {
    if (!(error instanceof ImportRefused)) throw error;
    return refused(out, error.problems);
  }

  const dataSource = await openCurrentSchema(config);
  try {
    const workspace = await dataSource.getRepository(Workspace).findOneBy({ id: input.workspace });
    if (!workspace) throw new UsageError(`--workspace ${input.workspace}: no such workspace`);
    const where = { workspaceId: workspace.id };
    const [existingApps, existingTools, existingProviders, existingPluginTools, installed] = await Promise.all([
      dataSource.getRepository(App).find({ where, select: { slug: true } }),
      dataSource.getRepository(ApiToolProvider).find({ where, select: { name: true } }),
      dataSource.getRepository(ProviderCredential).find({ where, select: { provider: true } }),
      dataSource.getRepository(PluginToolCredential).find({ where, select: { provider: true } }),
      dataSource.getRepository(PluginInstallation).find({ where, select: { pluginId: true } }),
    ]);
    // Only what will be written can collide: without secrets, providers that need one are left out.
    const apiToolCredentials = new Map(
      document.api_tool_providers.map((p) => [
        p.id,
        apiToolCredentialsSchema.safeParse(secrets?.api_tool_providers[p.id] ?? p.credentials),
      ]),
    );
    const collisions = [
      ...collide(
        document.api_tool_providers.filter((p) => apiToolCredentials.get(p.id)!.success).map((p) => p.name),
        existingTools.map((p) => p.name),
        'API tool provider',
      ),
      ...collide(
        document.model_providers.filter((p) => secrets || p.secret_fields.length === 0).map((p) => p.provider),
        existingProviders.map((p) => p.provider),
        'model provider',
      ),
      ...collide(
        secrets ? document.plugin_tool_providers.map((p) => p.provider) : [],
        existingPluginTools.map((p) => p.provider),
        'plugin tool provider',
      ),
    ];
    if (collisions.length > 0) {
      return refused(out, [
        ...collisions.map((c) => `the workspace already has ${c}`),
        'remove them from the workspace or from the file',
      ]);
    }

    const now = new Date();
    const cipher = cipherFor(config, config.security.secretKey);
    const notes: string[] = [];
    const builtIn = builtInProviders(config);

    // API tool providers first: agent tools in the apps point at them by id.
    const toolRefs = new Map<string, string>();
    const toolRows: ApiToolProvider[] = [];
    for (const provider of document.api_tool_providers) {
      const credentials = apiToolCredentials.get(provider.id)!;
      if (!credentials.success) {
        // Agent tools name it, so adding it in the console under the same name makes them work.
        toolRefs.set(provider.id, provider.name);
        notes.push(
          secrets
            ? `API tool provider "${provider.name}" left out: its exported credentials are not valid here (add it in the console).`
            : `API tool provider "${provider.name}" left out: its credentials need secrets this export does not carry ` +
                '(export with --include-secrets, or add the provider in the console).',
        );
        continue;
      }
      const id = randomUUID();
      toolRefs.set(provider.id, id);
      toolRows.push({
        id,
        workspaceId: workspace.id,
        name: provider.name,
        icon: provider.icon,
        description: provider.description,
        schemaType: provider.schema_type,
        schema: provider.schema,
        tools: await operationsOf(provider.schema, provider.tools),
        encryptedCredentials: cipher.encrypt(credentials.data),
        privacyPolicy: provider.privacy_policy,
        customDisclaimer: provider.custom_disclaimer,
        labels: provider.labels,
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      });
    }

    const slugs = new Set(existingApps.map((a) => a.slug));
    const appRows: App[] = document.apps.map((app) => {
      const slug = uniqueSlug(app.slug, slugs);
      slugs.add(slug);
      if (slug !== app.slug) notes.push(`app "${app.name}": model id ${app.slug} is taken here, it is ${slug}.`);
      return {
        id: randomUUID(),
        workspaceId: workspace.id,
        name: app.name,
        mode: app.mode,
        slug,
        description: app.description,
        iconType: app.icon_type,
        icon: app.icon,
        iconBackground: app.icon_background,
        status: app.status,
        enableApi: app.enable_api,
        apiRpm: app.api_rpm,
        apiMaxActiveRequests: app.api_max_active_requests,
        modelConfig: withToolRefs(configs.get(app.id) ?? null, toolRefs),
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      };
    });

    const providerRows: ProviderCredential[] = [];
    for (const { provider, credentials: plain, secret_fields: secretFields } of document.model_providers) {
      if (!secrets && secretFields.length > 0) {
        notes.push(
          `model provider ${provider} left out: its ${secretFields.join(', ')} is a secret this export does not carry (enter it in the console).`,
        );
        continue;
      }
      const credentials = secrets?.model_providers[provider] ?? plain;
      const known = builtIn.get(provider);
      // A plugin's provider declares its own fields: the plugin checks them when it is called.
      const parsed = known ? known.credentialSchema.safeParse(credentials) : { success: true, data: credentials };
      if (!parsed.success) {
        notes.push(
          `model provider ${provider} left out: its exported credentials are not valid here (enter them in the console).`,
        );
        continue;
      }
      providerRows.push({
        id: randomUUID(),
        workspaceId: workspace.id,
        provider,
        encryptedCredentials: cipher.encrypt(parsed.data),
        updatedBy: null,
        createdAt: now,
        updatedAt: now,
      });
    }

    const pluginToolRows: PluginToolCredential[] = secrets
      ? document.plugin_tool_providers.flatMap(({ provider }) => {
          const credentials = secrets.plugin_tool_providers[provider];
          return credentials
            ? [
                {
                  workspaceId: workspace.id,
                  provider,
                  encryptedCredentials: cipher.encrypt(credentials),
                  updatedBy: null,
                  updatedAt: now,
                },
              ]
            : [];
        })
      : [];
    if (!secrets && document.plugin_tool_providers.length > 0) {
      notes.push(
        `plugin tool provider credentials left out (no secrets in this export): ${document.plugin_tool_providers.map((p) => p.provider).join(', ')}.`,
      );
    }
    // The plugins the export had, and those its plugin providers (`author/plugin/provider`) belong to.
    const needed = new Map(document.plugins.map((p) => [p.plugin_id, p.plugin_unique_identifier]));
    for (const provider of [
      ...document.plugin_tool_providers.map((p) => p.provider),
      ...document.model_providers.map((p) => p.provider),
    ]) {
      const parts = provider.split('/');
      if (parts.length === 3 && !needed.has(`${parts[0]}/${parts[1]}`))
        needed.set(`${parts[0]}/${parts[1]}`, `${parts[0]}/${parts[1]}`);
    }
    const here = new Set(installed.map((p) => p.pluginId));
    const missing = [...needed].filter(([pluginId]) => !here.has(pluginId)).map(([, identifier]) => identifier);
    if (missing.length > 0) {
      notes.push(
        `plugins this workspace has not installed (their tools and models do not work until it does): ${missing.join(', ')}.`,
      );
    }

    await runInTransaction(dataSource, async (manager) => {
      if (toolRows.length > 0)
        await manager.insert(ApiToolProvider, toolRows as QueryDeepPartialEntity<ApiToolProvider>[]);
      for (const app of appRows) await manager.insert(App, app as QueryDeepPartialEntity<App>);
      if (providerRows.length > 0) await manager.insert(ProviderCredential, providerRows);
      if (pluginToolRows.length > 0) await manager.insert(PluginToolCredential, pluginToolRows);
    });
    await cliAudit(dataSource, {
      action: 'workspace.imported',
      workspaceId: workspace.id,
      target: { type: 'workspace', id: workspace.id },
      metadata: {
        from_workspace: document.workspace.id,
        apps: appRows.length,
        model_providers: providerRows.length,
        api_tool_providers: toolRows.length,
        plugin_tool_providers: pluginToolRows.length,
      },
    });
    out.say(
      `Imported into workspace "${workspace.name}" (${workspace.id}): ${appRows.length} app(s), ` +
        `${providerRows.length} model provider(s), ${toolRows.length} API tool provider(s), ` +
        `${pluginToolRows.length} plugin tool provider(s).`,
    );
    for (const note of notes) out.say(`  ${note}`);
    out.say('Apps have no API keys yet: create them in the console. keel doctor checks the imported model providers.');
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

function refused(out: CommandOutput, problems: string[]): number {
  out.error('keel import: nothing was imported:');
  for (const problem of problems) out.error(`  ${problem}`);
  return 1;
}

function collide(incoming: string[], existing: string[], what: string): string[] {
  const taken = new Set(existing);
  return incoming.filter((name) => taken.has(name)).map((name) => `${what} ${name}`);
}

/**
 * The provider's operations, parsed again so a newer Keel's reading applies; a schema that cannot
 * be parsed offline (an OpenAI-plugin manifest points at a URL) keeps the operations it was exported with.
 */
async function operationsOf(schema: string, exported: unknown[]): Promise<unknown[]> {
  try {
    return (await parseApiSchema(schema)).bundles;
  } catch {
    return exported;
  }
}

/** The model configuration with each API tool's `provider_id` following its provider into this workspace. */
function withToolRefs(config: AppModelConfig | null, refs: ReadonlyMap<string, string>): AppModelConfig | null {
  if (!config) return null;
  const tools = config.agent_mode.tools.map((tool) =>
    tool.provider_type === 'api' && refs.has(tool.provider_id)
      ? { ...tool, provider_id: refs.get(tool.provider_id)! }
      : tool,
  );
  return { ...config, agent_mode: { ...config.agent_mode, tools } };
}
