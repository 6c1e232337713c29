import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalUrlSigner } from '../local-url-signer';
import { RESERVED_PREFIX } from '../storage-key';
import { notFound, StorageError, StorageErrorCode } from '../storage.errors';
import type { LocalStorageOptions } from '../storage.options';
import type { ListPage, ObjectInfo, PutBody, PutOptions, SignedUrlOptions } from '../storage.types';
import type { StorageDriver } from './storage-driver';

interface Sidecar {
  contentType?: string;
  metadata: Record<string, string>;
}

/**
 * Objects as files under a root directory. Writes go to a temporary file first and are renamed
 * into place, so a failed or aborted upload never leaves a half-written object. Content type and
 * metadata live in a sidecar under the reserved `.keel/` directory.
 */
export class LocalStorageDriver implements StorageDriver {
  readonly name = 'local' as const;
  private readonly root: string;
  private readonly signer: LocalUrlSigner;

  constructor(private readonly options: LocalStorageOptions) {
    this.root = resolve(options.root);
    this.signer = new LocalUrlSigner(options.signingKey);
  }

  get urlSigner(): LocalUrlSigner {
    return this.signer;
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<void> {
    const target = this.pathOf(key);
    const tmp = join(this.root, RESERVED_PREFIX, 'tmp', randomUUID());
    await mkdir(dirname(tmp), { recursive: true });
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(tmp, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      await this.writeSidecar(key, { contentType: options.contentType, metadata: options.metadata ?? {} });
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<{ stream: Readable; info: ObjectInfo }> {
    const info = await this.head(key);
    if (!info) throw notFound(key);
    return { stream: createReadStream(this.pathOf(key)), info };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(key);
    const stats = await stat(file).catch(() => undefined);
    if (!stats?.isFile()) return undefined;
    const sidecar = await this.readSidecar(key);
    return {
      key,
      size: stats.size,
      contentType: sidecar.contentType,
      lastModified: stats.mtime,
      etag: `${stats.size.toString(16)}-${stats.mtimeMs.toString(16)}`,
      metadata: sidecar.metadata,
    };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
    await rm(this.sidecarPath(key), { force: true });
  }

  async list(prefix: string, options: { limit: number; cursor?: string }): Promise<ListPage> {
    const keys = (await this.walk(this.root))
      .filter((k) => k.startsWith(prefix) && (!options.cursor || k > options.cursor))
      .sort();
    const page = keys.slice(0, options.limit);
    const items = await Promise.all(
      page.map(async (key) => {
        const stats = await stat(this.pathOf(key));
        return { key, size: stats.size, lastModified: stats.mtime };
      }),
    );
    return { items, nextCursor: keys.length > options.limit ? page[page.length - 1] : undefined };
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    // Rounded up to the next whole second, so a link never lives shorter than asked.
    const expires = Math.ceil((Date.now() + options.expiresInSeconds * 1000) / 1000);
    return this.signer.sign(this.options.publicBaseUrl, { key, expires, name: options.downloadName });
  }

  describe(): string {
    return `local ${this.root}`;
  }

  /** Second line of defence after key validation: the path must stay under the root. */
  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) {
      throw new StorageError(
        StorageErrorCode.InvalidKey,
        `Invalid storage key ${JSON.stringify(key)}: it escapes the root`,
      );
    }
    return path;
  }

  private sidecarPath(key: string): string {
    return join(this.root, RESERVED_PREFIX, 'meta', `${key}.json`);
  }

  private async writeSidecar(key: string, sidecar: Sidecar): Promise<void> {
    const path = this.sidecarPath(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(sidecar));
  }

  private async readSidecar(key: string): Promise<Sidecar> {
    try {
      return JSON.parse(await readFile(this.sidecarPath(key), 'utf8')) as Sidecar;
    } catch {
      return { metadata: {} };
    }
  }

  private async walk(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const keys: string[] = [];
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const key = relative(this.root, full).split(sep).join('/');
      if (key === RESERVED_PREFIX) continue;
      if (entry.isDirectory()) keys.push(...(await this.walk(full)));
      else if (entry.isFile()) keys.push(key);
    }
    return keys;
  }
}
