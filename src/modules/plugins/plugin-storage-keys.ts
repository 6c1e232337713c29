import type { PluginManifest } from '@keel/plugin-package';

/** Where an uploaded package is kept in object storage: one object per content checksum. */
export function packageStorageKey(manifest: Pick<PluginManifest, 'author' | 'name' | 'version'>, checksum: string) {
  return `plugin_packages/${manifest.author}/${manifest.name}/${manifest.version}@${checksum}.keelpkg`;
}
