import type { Entry } from 'yauzl';
import { unsafePathReason } from './package-path';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';

/** An entry whose metadata passed: its path (without a directory's trailing slash) and its kind. */
export interface CheckedEntry {
  entry: Entry;
  path: string;
  isDirectory: boolean;
}

const UTF8_FLAG = 0x800;
const ENCRYPTED_FLAG = 0x1;
const STRONG_ENCRYPTION_FLAG = 0x40;
const STORED = 0;
const DEFLATED = 8;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MSDOS_DIRECTORY = 0x10;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const unsafe = (name: string, why: string) =>
  new PluginPackageError(PluginPackageErrorCode.UnsafeEntry, `Entry ${JSON.stringify(name)}: ${why}.`, { path: name });

/**
 * The raw name as text. Names flagged UTF-8 must be valid UTF-8; unflagged names must be ASCII or
 * valid UTF-8 (what zip tools on Unix write). Code page 437 guesses are refused rather than made:
 * a package is never unpacked under a name that differs from the one that was checked. Info-ZIP's
 * Unicode Path extra field is ignored for the same reason.
 */
function decodeName(entry: Entry): string {
  const raw = entry.fileNameRaw;
  try {
    return strictUtf8.decode(raw);
  } catch {
    const shown = raw.toString('latin1');
    throw unsafe(
      shown,
      (entry.generalPurposeBitFlag & UTF8_FLAG) !== 0
        ? 'the name is not valid UTF-8'
        : 'the name is neither ASCII nor UTF-8',
    );
  }
}

/**
 * Everything that can be known about an entry before reading its data: a safe relative name, a
 * plain file or directory (symlinks, devices, FIFOs refused by the Unix mode in the external
 * attributes), not encrypted, stored or deflated.
 */
export function checkEntry(entry: Entry): CheckedEntry {
  const name = decodeName(entry);
  if ((entry.generalPurposeBitFlag & (ENCRYPTED_FLAG | STRONG_ENCRYPTION_FLAG)) !== 0) {
    throw new PluginPackageError(
      PluginPackageErrorCode.EncryptedEntry,
      `Entry ${JSON.stringify(name)} is encrypted; packages hold no encrypted entries.`,
      { path: name },
    );
  }
  const isDirectory = name.endsWith('/');
  const path = isDirectory ? name.slice(0, -1) : name;
  const reason = unsafePathReason(path);
  if (reason) throw unsafe(name, reason);

  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) throw unsafe(name, 'it is a symbolic link');
  if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) {
    throw unsafe(name, `it is not a regular file or directory (mode 0o${mode.toString(8)})`);
  }
  const dosDirectory = (entry.externalFileAttributes & MSDOS_DIRECTORY) !== 0;
  if (isDirectory ? mode === S_IFREG : mode === S_IFDIR || dosDirectory) {
    throw unsafe(name, 'its name and its attributes disagree on whether it is a directory');
  }
  if (isDirectory && entry.uncompressedSize > 0) throw unsafe(name, 'it is a directory entry that holds data');
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw new PluginPackageError(
      PluginPackageErrorCode.CorruptPackage,
      `Entry ${JSON.stringify(name)} uses compression method ${entry.compressionMethod}; only stored and deflated entries are read.`,
      { path: name },
    );
  }
  return { entry, path, isDirectory };
}

/** "a/b/c" → ["a", "a/b"]. */
function ancestors(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(1).map((_, index) => segments.slice(0, index + 1).join('/'));
}

/** How two names meet on a case-insensitive, normalizing file system (macOS, Windows). */
const folded = (path: string) => path.normalize('NFC').toLowerCase();

/**
 * Names that would land on the same place when written: exact duplicates, names that differ only
 * by case or Unicode normalization (except directories, which merge harmlessly), and entries
 * inside a path that is a file. The first such entry and why, or `null`.
 */
export function findEntryCollision(
  entries: readonly { path: string; isDirectory: boolean }[],
): { path: string; reason: string } | null {
  const byFolded = new Map<string, { path: string; isDirectory: boolean }>();
  const exact = new Set<string>();
  for (const item of entries) {
    if (exact.has(item.path)) return { path: item.path, reason: 'the name appears twice' };
    exact.add(item.path);
    const key = folded(item.path);
    const other = byFolded.get(key);
    if (other && !(other.isDirectory && item.isDirectory)) {
      return {
        path: item.path,
        reason: `it collides with ${JSON.stringify(other.path)} on case-insensitive file systems`,
      };
    }
    byFolded.set(key, item);
  }
  for (const item of entries) {
    for (const ancestor of ancestors(item.path)) {
      const holder = byFolded.get(folded(ancestor));
      if (holder && !holder.isDirectory) {
        return { path: item.path, reason: `it is inside ${JSON.stringify(holder.path)}, which is a file` };
      }
    }
  }
  return null;
}

/** `findEntryCollision` as an `unsafe_entry` refusal. */
export function assertDistinctEntries(entries: readonly { path: string; isDirectory: boolean }[]): void {
  const collision = findEntryCollision(entries);
  if (collision) throw unsafe(collision.path, collision.reason);
}
