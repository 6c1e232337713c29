import type { PluginManifest } from '@keel/plugin-package';
import type { InstalledPlugin } from './plugin-installations.service';
import type { PluginInstallTask } from './plugin-install-task.entity';
import type { PluginVersion } from './plugin-version.entity';

/** Dify's derived category: a plugin with tools is a tool plugin, then model, else an extension. */
export function categoryOf(manifest: PluginManifest): 'tool' | 'model' | 'extension' {
  if (manifest.plugins.tools.length > 0) return 'tool';
  if (manifest.plugins.models.length > 0) return 'model';
  return 'extension';
}

/** The manifest as Dify's console reads a declaration (with its category). */
export const declarationOf = (manifest: PluginManifest) => ({ ...manifest, category: categoryOf(manifest) });

/** `upload/pkg`'s answer (Dify's PluginDecodeResponse, with Keel's verification result). */
export const decodedPackageOf = (version: PluginVersion) => ({
  unique_identifier: version.uniqueIdentifier,
  manifest: declarationOf(version.manifest),
  verification: version.verification,
});

/** One installed plugin as Dify's `plugin/list` shows it; `enabled` and `verification` are Keel's. */
export const installedPluginOf = ({ installation, version }: InstalledPlugin) => ({
  id: installation.id,
  installation_id: installation.id,
  tenant_id: installation.workspaceId,
  plugin_id: installation.pluginId,
  plugin_unique_identifier: installation.pluginUniqueIdentifier,
  name: version.manifest.name,
  version: version.version,
  checksum: version.checksum,
  declaration: declarationOf(version.manifest),
  source: 'package',
  runtime_type: 'local',
  meta: {},
  endpoints_setups: 0,
  endpoints_active: 0,
  enabled: installation.enabled,
  verification: version.verification,
  created_at: installation.createdAt.toISOString(),
  updated_at: installation.updatedAt.toISOString(),
});

/** Dify's PluginInstallTask. */
export const installTaskOf = (task: PluginInstallTask) => ({
  id: task.id,
  tenant_id: task.workspaceId,
  status: task.status,
  total_plugins: task.totalPlugins,
  completed_plugins: task.completedPlugins,
  plugins: task.plugins,
  created_at: task.createdAt.toISOString(),
  updated_at: task.updatedAt.toISOString(),
});
