import { createHash } from 'node:crypto';

/*
 * The checksum identifies a package by what it holds, never by how it was zipped (compression,
 * timestamps, entry order, the comment and so the signature do not change it). Exact bytes hashed:
 *
 *   checksum = hex( SHA-256( for each file, sorted by the UTF-8 bytes of its path:
 *                              UTF-8(path) || 0x00 || SHA-256(file bytes) [32 raw bytes] ) )
 *
 * Paths never hold a NUL (the reader refuses control characters) and the digest has a fixed
 * length, so the sequence is unambiguous. Directory entries are not part of it.
 */
export function computeChecksum(files: readonly { path: string; sha256: string }[]): string {
  const sorted = files
    .map((file) => ({ path: Buffer.from(file.path, 'utf8'), digest: Buffer.from(file.sha256, 'hex') }))
    .sort((a, b) => Buffer.compare(a.path, b.path));
  const hash = createHash('sha256');
  for (const file of sorted) {
    hash.update(file.path);
    hash.update(Buffer.of(0));
    hash.update(file.digest);
  }
  return hash.digest('hex');
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Identity {
  author: string;
  name: string;
  version: string;
}

/** `author/name` (Dify's plugin_id). */
export function pluginIdOf(manifest: Pick<Identity, 'author' | 'name'>): string {
  return `${manifest.author}/${manifest.name}`;
}

/** `author/name:version@checksum` (Dify's plugin_unique_identifier). */
export function uniqueIdentifier(manifest: Identity, checksum: string): string {
  return `${pluginIdOf(manifest)}:${manifest.version}@${checksum}`;
}

export interface ParsedUniqueIdentifier extends Identity {
  pluginId: string;
  checksum: string;
}

const UNIQUE_IDENTIFIER = /^([a-z0-9_-]{1,64})\/([a-z0-9_-]{1,128}):([0-9A-Za-z.+-]+)@([0-9a-f]{64})$/;

/** The parts of `author/name:version@checksum`, or `null` when the text is not one. */
export function parseUniqueIdentifier(text: string): ParsedUniqueIdentifier | null {
  const match = UNIQUE_IDENTIFIER.exec(text);
  if (!match) return null;
  const [, author, name, version, checksum] = match;
  return { author, name, version, checksum, pluginId: `${author}/${name}` };
}
