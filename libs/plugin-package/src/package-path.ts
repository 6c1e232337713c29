/** Longest entry name accepted, in UTF-8 bytes (well over any real plugin file, well under what file systems take). */
const MAX_PATH_BYTES = 1024;

/**
 * Why a relative, slash-separated path may not be written under a root, or `null` when it is safe.
 * One rule for the reader (zip entry names), the writer (files being packed) and the manifest
 * (paths it names): no absolute paths, drive letters, backslashes, `.`/`..` or empty segments,
 * control characters. A directory entry's one trailing slash is the caller's to strip.
 */
export function unsafePathReason(path: string): string | null {
  if (path.length === 0) return 'the name is empty';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `the name is longer than ${MAX_PATH_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the name contains a NUL or control character';
  if (path.includes('\\')) return 'the name contains a backslash';
  if (path.startsWith('/')) return 'the path is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'the path starts with a drive letter';
  for (const segment of path.split('/')) {
    if (segment === '') return 'the path has an empty segment';
    if (segment === '.' || segment === '..') return 'the path has a "." or ".." segment';
  }
  return null;
}

/** A path as the manifest may write it (`./provider/x.yaml`) in the form the package stores (`provider/x.yaml`). */
export function normalizeManifestPath(path: string): string {
  let normalized = path.trim();
  while (normalized.startsWith('./')) normalized = normalized.slice(2);
  return normalized;
}
