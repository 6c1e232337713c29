import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StorageError, StorageErrorCode, StorageService } from '@keel/storage';
import request from 'supertest';
import { FakeGcsServer, type RunningServer, startAzurite, startS3rver } from '../support/storage-servers';
import { bootTestApp, type TestApp } from '../support/test-app';

const BUCKET = 'keel-test';

interface DriverCase {
  name: string;
  start(): Promise<{ server?: RunningServer; env: Record<string, string> }>;
}

const cases: DriverCase[] = [
  { name: 'local', start: async () => ({ env: { STORAGE_DRIVER: 'local' } }) },
  {
    name: 's3 (s3rver)',
    start: async () => {
      const server = await startS3rver(BUCKET);
      return {
        server,
        env: {
          STORAGE_DRIVER: 's3',
          S3_BUCKET: BUCKET,
          S3_ENDPOINT: `http://127.0.0.1:${server.port}`,
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
        },
      };
    },
  },
  {
    name: 'azure-blob (azurite)',
    start: async () => {
      const server = await startAzurite();
      return {
        server,
        env: {
          STORAGE_DRIVER: 'azure-blob',
          AZURE_BLOB_CONNECTION_STRING: server.connectionString,
          AZURE_BLOB_CONTAINER: BUCKET,
        },
      };
    },
  },
  {
    name: 'gcs (contract test against an in-test JSON-API server)',
    start: async () => {
      const server = await FakeGcsServer.start();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const credentials = {
        type: 'service_account',
        project_id: 'keel-test',
        client_email: 'keel@keel-test.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      };
      return {
        server,
        env: {
          STORAGE_DRIVER: 'gcs',
          GCS_BUCKET: BUCKET,
          GCS_PROJECT_ID: 'keel-test',
          GCS_API_ENDPOINT: server.url,
          GCS_CREDENTIALS_JSON: JSON.stringify(credentials),
        },
      };
    },
  },
];

/** Deterministic pseudo-random bytes, produced chunk by chunk (never held whole). */
function generated(totalBytes: number, seed: number): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash('sha256');
  let produced = 0;
  let state = seed;
  let resolveHash!: (digest: string) => void;
  const sha256 = new Promise<string>((r) => (resolveHash = r));
  const stream = new Readable({
    read() {
      if (produced >= totalBytes) {
        resolveHash(hash.digest('hex'));
        this.push(null);
        return;
      }
      const size = Math.min(256 * 1024, totalBytes - produced);
      const chunk = Buffer.allocUnsafe(Math.ceil(size / 4) * 4);
      for (let i = 0; i < chunk.length; i += 4) {
        state = (state * 1664525 + 1013904223) >>> 0;
        chunk.writeUInt32LE(state, i);
      }
      produced += size;
      const exact = chunk.subarray(0, size);
      hash.update(exact);
      this.push(exact);
    },
  });
  return { stream, sha256 };
}

async function sha256Of(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), bytes };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

describe.each(cases)('storage driver $name (shared behaviour)', ({ name, start }) => {
  let server: RunningServer | undefined;
  let t: TestApp;
  let storage: StorageService;

  beforeAll(async () => {
    const started = await start();
    server = started.server;
    t = await bootTestApp(started.env);
    storage = t.app.get(StorageService);
  });

  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it('reports the storage indicator up (probe put/get/delete)', async () => {
    const res = await request(t.baseUrl).get('/health/storage').expect(200);
    expect(res.body.info.storage).toMatchObject({ status: 'up', driver: name.split(' ')[0] });
  });

  it('puts, heads, gets, overwrites and deletes an object with its content type and metadata', async () => {
    await storage.put('docs/readme.txt', Buffer.from('hello, keel'), {
      contentType: 'text/plain; charset=utf-8',
      metadata: { owner_id: 'u1' },
    });
    expect(await storage.exists('docs/readme.txt')).toBe(true);
    const info = await storage.head('docs/readme.txt');
    expect(info).toMatchObject({ key: 'docs/readme.txt', size: 11, metadata: { owner_id: 'u1' } });
    expect(info?.contentType).toMatch(/^text\/plain/);
    expect(info?.lastModified.getTime()).toBeGreaterThan(Date.parse('2020-01-01'));

    const { stream, info: got } = await storage.get('docs/readme.txt');
    expect(await text(stream)).toBe('hello, keel');
    expect(got.size).toBe(11);

    await storage.put('docs/readme.txt', Buffer.from('second version'), { contentType: 'text/plain' });
    expect(await text((await storage.get('docs/readme.txt')).stream)).toBe('second version');

    await storage.delete('docs/readme.txt');
    expect(await storage.exists('docs/readme.txt')).toBe(false);
    await storage.delete('docs/readme.txt');
  });

  it('reports a missing object as not found', async () => {
    expect(await storage.head('missing/object')).toBeUndefined();
    await expect(storage.get('missing/object')).rejects.toMatchObject({ code: StorageErrorCode.NotFound });
  });

  it('lists by prefix, page by page', async () => {
    for (const k of ['a', 'b', 'c', 'd', 'e']) await storage.put(`list/${k}.txt`, Buffer.from(k));
    await storage.put('other/x.txt', Buffer.from('x'));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await storage.list('list/', { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.sort()).toEqual(['list/a.txt', 'list/b.txt', 'list/c.txt', 'list/d.txt', 'list/e.txt']);
    expect(pages).toBeGreaterThanOrEqual(3);
    const first = await storage.list('list/', { limit: 1000 });
    expect(first.items.find((i) => i.key === 'list/c.txt')).toMatchObject({ size: 1 });
  });

  it('streams a large object both ways, byte for byte', async () => {
    const size = 48 * 1024 * 1024 + 123;
    const { stream, sha256 } = generated(size, 7);
    await storage.put('big/blob.bin', stream, { contentType: 'application/octet-stream' });
    const expected = await sha256;
    expect((await storage.head('big/blob.bin'))?.size).toBe(size);
    const back = await sha256Of((await storage.get('big/blob.bin')).stream);
    expect(back).toEqual({ digest: expected, bytes: size });
    await storage.delete('big/blob.bin');
  });

  it('serves a signed URL until it expires', async () => {
    await storage.put('signed/report.pdf', Buffer.from('%PDF-1.4 fake'), { contentType: 'application/pdf' });
    const url = await storage.signedUrl('signed/report.pdf', {
      expiresInSeconds: 60,
      downloadName: 'Quarterly report.pdf',
    });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('%PDF-1.4 fake');
    expect(ok.headers.get('content-disposition')).toContain('attachment');

    // Servers check expiry at whole-second resolution: 2 s of life, checked after 3.3 s.
    const shortLived = await storage.signedUrl('signed/report.pdf', { expiresInSeconds: 2 });
    expect((await fetch(shortLived)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3_300));
    const expired = await fetch(shortLived);
    expect(expired.status).toBeGreaterThanOrEqual(400);
    expect(expired.status).toBeLessThan(500);
  });

  it.each(['../escape.txt', '/etc/passwd', 'a/../../b', 'a//b', 'nul\u0000byte', 'back\\slash', '', '.keel/health/x'])(
    'rejects the key %j before any I/O',
    async (key) => {
      const error = await storage.put(key, Buffer.from('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ code: StorageErrorCode.InvalidKey });
      await expect(storage.get(key)).rejects.toMatchObject({ code: StorageErrorCode.InvalidKey });
      await expect(storage.delete(key)).rejects.toMatchObject({ code: StorageErrorCode.InvalidKey });
    },
  );

  if (name === 'local') {
    it('never writes outside its root, and refuses tampered or expired links with 403', async () => {
      const root = (t.config.storage as { root: string }).root;
      await storage.put('../../escaped.txt', Buffer.from('x')).catch(() => undefined);
      expect(existsSync(join(root, '..', '..', 'escaped.txt'))).toBe(false);

      await storage.put('private/a.txt', Buffer.from('secret'));
      const url = new URL(await storage.signedUrl('private/a.txt', { expiresInSeconds: 60 }));
      url.searchParams.set('key', 'private/b.txt');
      const tampered = await request(t.baseUrl)
        .get(url.pathname + url.search)
        .expect(403);
      expect(tampered.body).toMatchObject({ code: 'invalid_signature', status: 403 });
      await request(t.baseUrl).get('/storage/download?key=private/a.txt').expect(403);
    });
  }
});
