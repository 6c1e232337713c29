/*
 * Test fixtures built in code: a valid plugin's files, and a hand-written zip writer for the
 * packages no well-behaved zip library will produce (escaping names, symlinks, lying sizes, bombs).
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { stringify } from 'yaml';

/** A file of a fixture plugin (the shape packFiles takes). */
export interface FixtureFile {
  path: string;
  bytes: Buffer;
}

export function manifestData(): Record<string, unknown> {
  return {
    version: '1.2.3',
    type: 'plugin',
    author: 'acme',
    name: 'echo_tools',
    label: { en_US: 'Echo tools', zh_Hans: '回声' },
    description: { en_US: 'Repeats things.' },
    icon: 'icon.svg',
    created_at: '2025-01-31T12:00:00Z',
    resource: { memory: 268435456, permission: { tool: { enabled: true }, model: { llm: true } } },
    plugins: { tools: ['provider/echo.yaml'] },
    meta: { version: '0.0.1', runner: { language: 'nodejs', version: '20', entrypoint: 'main.js' } },
    dependencies: [{ plugin: 'acme/base', version: '^1.0.0' }],
  };
}

export const manifestText = (data: Record<string, unknown> = manifestData()) => stringify(data);

/** A valid plugin: manifest, provider and tool YAML, entrypoint, icon under _assets/ (Dify's place). */
export function pluginFiles(manifest: Record<string, unknown> = manifestData()): FixtureFile[] {
  const text = (path: string, content: string) => ({ path, bytes: Buffer.from(content) });
  return [
    text('manifest.yaml', manifestText(manifest)),
    text('provider/echo.yaml', 'identity:\n  name: echo\ntools:\n  - tools/echo.yaml\n'),
    text('tools/echo.yaml', 'identity:\n  name: echo\n'),
    text('main.js', "'use strict';\nconsole.error('hello');\n"),
    text('_assets/icon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>'),
    text('node_modules/dep/index.js', 'module.exports = 42;\n'),
  ];
}

export interface CraftedEntry {
  /** The raw name (a string is written as UTF-8). */
  name: string | Buffer;
  /** The uncompressed bytes (default: none). */
  data?: Buffer;
  /** 0 stored, 8 deflated (default 8 when there is data). */
  method?: number;
  /** The bytes stored in the zip, when not `data` compressed by `method` (bombs). */
  raw?: Buffer;
  /** Declared uncompressed size (default: the true one). */
  declaredSize?: number;
  /** Declared CRC-32 (default: the true one). */
  crc?: number;
  /** External attributes (a Unix mode goes in the high 16 bits). */
  externalAttributes?: number;
  /** General purpose flags (bit 0: encrypted, bit 11: UTF-8 names). */
  flags?: number;
}

/** A zip written by hand, byte by byte, exactly as described (no validation at all). */
export function craftZip(entries: readonly CraftedEntry[], comment = ''): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.method ?? (data.length > 0 || entry.raw ? 8 : 0);
    const stored = entry.raw ?? (method === 8 ? deflateRawSync(data) : data);
    const crc = entry.crc ?? crc32(data);
    const size = entry.declaredSize ?? data.length;
    const flags = entry.flags ?? 0x800;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((entry.externalAttributes ?? 0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const commentBytes = Buffer.from(comment, 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(commentBytes.length, 20);
  return Buffer.concat([...locals, directory, end, commentBytes]);
}

/** The files of a package as crafted entries (to rebuild a zip with changes). */
export const craftedFrom = (files: readonly FixtureFile[]): CraftedEntry[] =>
  files.map((file) => ({ name: file.path, data: file.bytes }));

/**
 * A raw deflate stream that inflates to `mebibytes` MiB of zeros from about 1 KiB per MiB: one
 * sync-flushed block of a MiB of zeros, repeated, then an empty final block.
 */
export function deflateBomb(mebibytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: mebibytes }, () => block), Buffer.from([0x03, 0x00])]);
}
