import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CRC32C } from '@google-cloud/storage';
import { freePort } from './server-process';

const BIN = resolve(__dirname, '../../node_modules/.bin');

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, label: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${label} did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess, dir?: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

/** s3rver, an S3-compatible server, as its own process (credentials S3RVER/S3RVER, path-style). */
export async function startS3rver(bucket: string): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'keel-s3rver-'));
  const child = spawn(
    join(BIN, 's3rver'),
    ['--address', '127.0.0.1', '--port', String(port), '--directory', dir, '--silent', '--configure-bucket', bucket],
    { stdio: 'ignore' },
  );
  await waitForPort(port, child, 's3rver');
  return { port, stop: stopChild(child, dir) };
}

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's Blob service as its own process, in memory, telemetry off. */
export async function startAzurite(): Promise<RunningServer & { connectionString: string }> {
  const port = await freePort();
  const child = spawn(
    join(BIN, 'azurite-blob'),
    [
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(port, child, 'azurite');
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    stop: stopChild(child),
  };
}

interface FakeObject {
  file: string;
  size: number;
  md5: string;
  crc32c: string;
  contentType?: string;
  metadata: Record<string, string>;
  updated: string;
  generation: number;
}

/**
 * No GCS emulator can run here, so this is a small server speaking the subset of the GCS JSON API
 * that the Node SDK uses for Keel's operations (multipart upload, media download, metadata,
 * delete, paged list) and that checks the expiry of V4-signed URLs. The suite that uses it is a
 * contract test against that subset, not a test against Google. Objects are kept on disk.
 */
export class FakeGcsServer implements RunningServer {
  private readonly objects = new Map<string, FakeObject>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'keel-fake-gcs-'));
  private generation = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeGcsServer> {
    const port = await freePort();
    const holder: { instance?: FakeGcsServer } = {};
    const server = createServer((req, res) => {
      holder.instance!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: String(error) } }));
      });
    });
    const instance = new FakeGcsServer(server, port);
    holder.instance = instance;
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server.close(() => done()));
    this.server.closeAllConnections();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    let m: RegExpMatchArray | null;
    if (req.method === 'POST' && (m = path.match(/^\/upload\/storage\/v1\/b\/([^/]+)\/o$/))) {
      return this.upload(req, res, decodeURIComponent(m[1]), url);
    }
    if ((m = path.match(/^(?:\/download)?\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/))) {
      const key = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`;
      if (req.method === 'DELETE') return this.remove(res, key);
      if (req.method === 'GET' && url.searchParams.get('alt') === 'media') return this.media(res, key);
      if (req.method === 'GET') return this.metadata(res, key, decodeURIComponent(m[1]));
    }
    if (req.method === 'GET' && (m = path.match(/^\/storage\/v1\/b\/([^/]+)\/o$/))) {
      return this.list(res, decodeURIComponent(m[1]), url);
    }
    if (req.method === 'GET' && url.searchParams.has('X-Goog-Signature') && (m = path.match(/^\/([^/]+)\/(.+)$/))) {
      return this.signed(res, `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`, url);
    }
    this.json(res, 404, { error: { code: 404, message: `fake GCS: no route for ${req.method} ${path}` } });
  }

  /** multipart/related: a JSON metadata part, then the media part, streamed to disk. */
  private async upload(req: IncomingMessage, res: ServerResponse, bucket: string, url: URL): Promise<void> {
    if (url.searchParams.get('uploadType') !== 'multipart') {
      return this.json(res, 400, { error: { code: 400, message: 'fake GCS supports multipart uploads only' } });
    }
    const boundary = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1];
    if (!boundary) return this.json(res, 400, { error: { code: 400, message: 'no boundary' } });
    const raw = join(this.dir, `upload-${++this.generation}`);
    await pipeline(req, createWriteStream(raw));
    // The body is on disk; find the two parts by scanning for the boundary in a bounded window.
    const { metadata, mediaStart, mediaEnd } = await locateParts(raw, boundary);
    const file = join(this.dir, `object-${this.generation}`);
    const hash = createHash('md5');
    const crc = new CRC32C();
    await pipeline(
      createReadStream(raw, { start: mediaStart, end: mediaEnd - 1 }),
      async function* (source) {
        for await (const chunk of source) {
          hash.update(chunk as Buffer);
          crc.update(chunk as Buffer);
          yield chunk;
        }
      },
      createWriteStream(file),
    );
    rmSync(raw);
    const name = (metadata.name as string | undefined) ?? url.searchParams.get('name') ?? '';
    const object: FakeObject = {
      file,
      size: mediaEnd - mediaStart,
      md5: hash.digest('base64'),
      crc32c: crc.toString(),
      contentType: metadata.contentType as string | undefined,
      metadata: (metadata.metadata as Record<string, string> | undefined) ?? {},
      updated: new Date().toISOString(),
      generation: this.generation,
    };
    this.objects.set(`${bucket}/${name}`, object);
    this.json(res, 200, this.resource(bucket, name, object));
  }

  private resource(bucket: string, name: string, o: FakeObject) {
    return {
      kind: 'storage#object',
      bucket,
      name,
      size: String(o.size),
      contentType: o.contentType,
      md5Hash: o.md5,
      crc32c: o.crc32c,
      metadata: o.metadata,
      updated: o.updated,
      generation: String(o.generation),
      etag: `${o.generation}`,
    };
  }

  private metadata(res: ServerResponse, key: string, bucket: string): void {
    const object = this.objects.get(key);
    if (!object) return this.json(res, 404, { error: { code: 404, message: 'No such object' } });
    this.json(res, 200, this.resource(bucket, key.slice(bucket.length + 1), object));
  }

  private media(res: ServerResponse, key: string): void {
    const object = this.objects.get(key);
    if (!object) return this.json(res, 404, { error: { code: 404, message: 'No such object' } });
    res.writeHead(200, {
      'content-type': object.contentType ?? 'application/octet-stream',
      'content-length': String(statSync(object.file).size),
      'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5}`,
      'x-goog-generation': String(object.generation),
    });
    createReadStream(object.file).pipe(res);
  }

  private remove(res: ServerResponse, key: string): void {
    const object = this.objects.get(key);
    if (!object) return this.json(res, 404, { error: { code: 404, message: 'No such object' } });
    this.objects.delete(key);
    rmSync(object.file, { force: true });
    res.writeHead(204).end();
  }

  private list(res: ServerResponse, bucket: string, url: URL): void {
    const prefix = url.searchParams.get('prefix') ?? '';
    const max = Number(url.searchParams.get('maxResults') ?? 1000);
    const after = url.searchParams.get('pageToken') ?? '';
    const names = [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/`))
      .map((k) => k.slice(bucket.length + 1))
      .filter((n) => n.startsWith(prefix) && n > after)
      .sort();
    const page = names.slice(0, max);
    this.json(res, 200, {
      kind: 'storage#objects',
      items: page.map((n) => this.resource(bucket, n, this.objects.get(`${bucket}/${n}`)!)),
      nextPageToken: names.length > max ? page[page.length - 1] : undefined,
    });
  }

  /** Checks what a V4 link promises: not before its date, not after date + expires. */
  private signed(res: ServerResponse, key: string, url: URL): void {
    const date = url.searchParams.get('X-Goog-Date') ?? '';
    const expires = Number(url.searchParams.get('X-Goog-Expires'));
    const issued = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!Number.isFinite(issued) || !Number.isFinite(expires) || Date.now() > issued + expires * 1000) {
      res.writeHead(400, { 'content-type': 'application/xml' });
      res.end('<Error><Code>ExpiredToken</Code><Message>Invalid argument.</Message></Error>');
      return;
    }
    const disposition = url.searchParams.get('response-content-disposition');
    if (disposition) res.setHeader('content-disposition', disposition);
    this.media(res, key);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

/** Finds the metadata JSON and the byte range of the media part without loading the body. */
async function locateParts(
  file: string,
  boundary: string,
): Promise<{ metadata: Record<string, unknown>; mediaStart: number; mediaEnd: number }> {
  const size = statSync(file).size;
  const head = await readRange(file, 0, Math.min(size, 64 * 1024));
  const delimiter = `--${boundary}`;
  const first = head.indexOf(delimiter);
  const second = head.indexOf(delimiter, first + delimiter.length);
  const metaPart = head.subarray(first + delimiter.length, second).toString('utf8');
  const metadata = JSON.parse(metaPart.slice(metaPart.indexOf('\r\n\r\n') + 4).trim()) as Record<string, unknown>;
  const mediaHeadersEnd = head.indexOf('\r\n\r\n', second) + 4;
  const tail = await readRange(file, Math.max(0, size - 1024), size);
  const closing = tail.lastIndexOf(`\r\n${delimiter}--`);
  return { metadata, mediaStart: mediaHeadersEnd, mediaEnd: Math.max(0, size - 1024) + closing };
}

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (end <= start) return Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { start, end: end - 1 })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
