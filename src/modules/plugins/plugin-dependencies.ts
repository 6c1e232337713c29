import semver from 'semver';
import type { PluginManifest } from '@keel/plugin-package';

/** What a workspace has (or will have): `author/name` → installed version. */
export type AvailablePlugins = ReadonlyMap<string, string>;

/**
 * Each declared dependency that `available` does not satisfy, as a sentence naming the plugin,
 * the range and what is there instead. Pre-releases count when the range admits them by name.
 */
export function unmetDependencies(
  manifest: Pick<PluginManifest, 'dependencies'>,
  available: AvailablePlugins,
): string[] {
  const unmet: string[] = [];
  for (const { plugin, version: range } of manifest.dependencies) {
    const found = available.get(plugin);
    if (found === undefined) unmet.push(`${plugin} ${range} is not installed`);
    else if (!semver.satisfies(found, range, { includePrerelease: true })) {
      unmet.push(`${plugin} ${range} is needed but ${found} is installed`);
    }
  }
  return unmet;
}

/** Orders a batch so that a plugin comes after the batch's plugins it depends on (cycles keep their order). */
export function installOrder<T extends { pluginId: string; manifest: Pick<PluginManifest, 'dependencies'> }>(
  batch: readonly T[],
): T[] {
  const ordered: T[] = [];
  const pending = [...batch];
  while (pending.length > 0) {
    const inBatch = new Set(pending.map((item) => item.pluginId));
    const index = pending.findIndex((item) => item.manifest.dependencies.every((dep) => !inBatch.has(dep.plugin)));
    ordered.push(...pending.splice(index === -1 ? 0 : index, 1));
  }
  return ordered;
}

/** The plugins in `installed` that declare a dependency on `pluginId`. */
export function dependentsOf(
  pluginId: string,
  installed: readonly { pluginId: string; manifest: Pick<PluginManifest, 'dependencies'> }[],
): string[] {
  return installed
    .filter((item) => item.pluginId !== pluginId && item.manifest.dependencies.some((dep) => dep.plugin === pluginId))
    .map((item) => item.pluginId);
}
