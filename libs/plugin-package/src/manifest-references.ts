import type { PluginManifest } from './plugin-manifest.schema';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';

/** A file the manifest names, by field; the first candidate present in the package is the one. */
export interface ManifestFileReference {
  field: string;
  candidates: string[];
}

/**
 * Icons follow Dify (`icon: icon.svg` is `_assets/icon.svg`), and a package may also keep the icon
 * at the path written (what `keel-plugin init` generates): `_assets/` first, then the path as is.
 */
const iconCandidates = (icon: string) => [`_assets/${icon}`, icon];

export function manifestFileReferences(manifest: PluginManifest): ManifestFileReference[] {
  const references: ManifestFileReference[] = [];
  for (const kind of ['tools', 'models', 'endpoints'] as const) {
    manifest.plugins[kind].forEach((path, index) =>
      references.push({ field: `plugins.${kind}[${index}]`, candidates: [path] }),
    );
  }
  references.push({ field: 'meta.runner.entrypoint', candidates: [manifest.meta.runner.entrypoint] });
  references.push({ field: 'icon', candidates: iconCandidates(manifest.icon) });
  if (manifest.icon_dark) references.push({ field: 'icon_dark', candidates: iconCandidates(manifest.icon_dark) });
  if (manifest.privacy) references.push({ field: 'privacy', candidates: [manifest.privacy] });
  return references;
}

/** The icon's path inside the package (`_assets/<icon>` or `<icon>`), if it is there. */
export function resolveIconPath(manifest: PluginManifest, has: (path: string) => boolean): string | undefined {
  return iconCandidates(manifest.icon).find(has);
}

/** Throws `missing_file` naming every manifest field whose file is not among the package's files. */
export function assertManifestFiles(manifest: PluginManifest, has: (path: string) => boolean): void {
  const missing = manifestFileReferences(manifest).filter((reference) => !reference.candidates.some(has));
  if (missing.length === 0) return;
  const issues = missing.map((reference) => ({
    field: reference.field,
    message: `${reference.candidates.join(' or ')} is not in the package`,
  }));
  throw new PluginPackageError(
    PluginPackageErrorCode.MissingFile,
    issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
    { field: missing[0].field, path: missing[0].candidates[0], issues },
  );
}
