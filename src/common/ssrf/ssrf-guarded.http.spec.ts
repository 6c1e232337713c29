import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Logger } from '@nestjs/common';
import { Cancellation } from '../lifecycle/cancel-signal';
import { OutboundRequestFailedException } from './outbound-request-failed.exception';
import { SsrfBlockedException } from './ssrf-blocked.exception';
import { SsrfGuardedHttp, type SsrfGuardedHttpOptions } from './ssrf-guarded.http';
import type { HostResolver } from './ssrf-policy';

/*
 * Real requests, against servers on 127.0.0.1 only. Every name is answered by an injected resolver
 * (no real lookup happens), and every outgoing socket of this suite is checked: a connection to
 * anything but 127.0.0.1 fails the test before it is made.
 */

const connects: string[] = [];
const realConnect = Socket.prototype.connect;
beforeAll(() => {
  jest.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const host = typeof first === 'object' && first !== null ? (first as { host?: string }).host : undefined;
    connects.push(String(host));
    if (host !== '127.0.0.1') throw new Error(`test guard: refusing to connect to ${String(host)}`);
    return (realConnect as (...a: unknown[]) => Socket).apply(this, args);
  });
});
afterAll(() => jest.restoreAllMocks());
beforeEach(() => (connects.length = 0));

interface TestServer {
  server: Server | TcpServer;
  port: number;
  origin: string;
  connections: number;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function listen(
  server: Server | TcpServer,
  scheme = 'http',
): Promise<Omit<TestServer, 'requests'> & { requests: TestServer['requests'] }> {
  const sockets = new Set<Socket>();
  const entry = {
    server,
    port: 0,
    origin: '',
    connections: 0,
    requests: [] as TestServer['requests'],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: Socket) => {
    entry.connections++;
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  entry.port = (server.address() as { port: number }).port;
  entry.origin = `${scheme}://127.0.0.1:${entry.port}`;
  servers.push(entry);
  return entry;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function httpServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  return Object.assign(await listen(server), { requests });
}

const ok: Handler = (_req, res) => res.end('hello');

function resolverFrom(table: Record<string, string[] | string[][]>) {
  const calls: string[] = [];
  const seen: Record<string, number> = {};
  const resolve: HostResolver = async (hostname) => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    // A list of lists answers differently on each call (DNS rebinding).
    const answer = Array.isArray(answers[0])
      ? (answers as string[][])[Math.min(seen[hostname] ?? 0, answers.length - 1)]
      : (answers as string[]);
    seen[hostname] = (seen[hostname] ?? 0) + 1;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

const noNames: HostResolver = (hostname) => Promise.reject(new Error(`unexpected lookup of ${hostname}`));

const guard = (options: SsrfGuardedHttpOptions = {}) => new SsrfGuardedHttp({ resolver: noNames, ...options });
const LOOPBACK = { allowlist: ['127.0.0.1/32'] };

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

describe('SsrfGuardedHttp', () => {
  it('blocks a loopback server by default, before connecting', async () => {
    const server = await httpServer(ok);
    const error = await rejectionOf(guard().request({ method: 'GET', url: `${server.origin}/secret?key=abc` }));
    expect(error).toBeInstanceOf(SsrfBlockedException);
    expect(error).toMatchObject({ code: 'ssrf_blocked', rule: 'loopback' });
    expect((error as SsrfBlockedException).getStatus()).toBe(400);
    expect(error.message).toBe(
      `Blocked request to ${server.origin}: 127.0.0.1 is a loopback address (127.0.0.0/8); ` +
        'an operator can allow it with SSRF_ALLOWLIST.',
    );
    expect(server.connections).toBe(0);
    expect(connects).toEqual([]);
  });

  it('logs a blocked attempt at warn with the origin only', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const { resolve } = resolverFrom({ 'internal.test': ['10.0.0.7'] });
    await expect(
      guard({ resolver: resolve }).request({ method: 'GET', url: 'http://internal.test:8080/admin?api_key=s3cret' }),
    ).rejects.toBeInstanceOf(SsrfBlockedException);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0][0]);
    expect(line).toBe(
      'Blocked an outbound request to http://internal.test:8080: internal.test (10.0.0.7) matched rule private',
    );
    warn.mockRestore();
  });

  it('reaches it when 127.0.0.1/32 is allowlisted', async () => {
    const server = await httpServer((_req, res) => {
      res.setHeader('x-answer', '42');
      res.end('hello');
    });
    const response = await guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/path?q=1` });
    expect(response).toMatchObject({ status: 200, url: `${server.origin}/path?q=1` });
    expect(response.body.toString()).toBe('hello');
    expect(response.headers['x-answer']).toBe('42');
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/path?q=1' });
    expect(connects).toEqual(['127.0.0.1']);
  });

  it('connects to the address it checked, sends the name as Host, and resolves once (no rebinding)', async () => {
    const server = await httpServer(ok);
    // The second answer would be the metadata service: it is never asked for.
    const { resolve, calls } = resolverFrom({ 'internal.test': [['127.0.0.1'], ['169.254.169.254']] });
    const response = await guard({ ...LOOPBACK, resolver: resolve }).request({
      method: 'GET',
      url: `http://internal.test:${server.port}/x`,
    });
    expect(response.status).toBe(200);
    expect(server.requests[0].headers.host).toBe(`internal.test:${server.port}`);
    expect(calls).toEqual(['internal.test']);
    expect(connects).toEqual(['127.0.0.1']);
  });

  it('allows a name by a host entry whatever it resolves to', async () => {
    const server = await httpServer(ok);
    const { resolve } = resolverFrom({ 'internal.test': ['127.0.0.1'] });
    const http = guard({ allowlist: ['internal.test'], resolver: resolve });
    expect((await http.request({ method: 'GET', url: `http://internal.test:${server.port}/` })).status).toBe(200);
    await expect(http.request({ method: 'GET', url: `${server.origin}/` })).rejects.toBeInstanceOf(
      SsrfBlockedException,
    );
  });

  it('checks every redirect hop: a redirect to the metadata address is blocked before any connection', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam' });
      res.end();
    });
    const error = await rejectionOf(guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/start` }));
    expect(error).toBeInstanceOf(SsrfBlockedException);
    expect(error).toMatchObject({ code: 'ssrf_blocked', rule: 'linkLocal' });
    expect(error.message).toContain('169.254.169.254 is a link-local address');
    expect(error.message).not.toContain('meta-data');
    expect(connects).toEqual(['127.0.0.1']);
  });

  it('resolves and checks a redirected name again on each hop', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: `http://internal.test:${server.port}/next` }).end();
      else res.end('unreachable');
    });
    const { resolve, calls } = resolverFrom({ 'internal.test': [['127.0.0.1'], ['10.0.0.1']] });
    const error = await rejectionOf(
      guard({ ...LOOPBACK, resolver: resolve }).request({
        method: 'GET',
        url: `http://internal.test:${server.port}/start`,
      }),
    );
    expect(error).toMatchObject({ code: 'ssrf_blocked', rule: 'private' });
    expect(calls).toEqual(['internal.test', 'internal.test']);
    expect(server.requests.map((r) => r.url)).toEqual(['/start']);
  });

  describe('redirects', () => {
    const chain = () =>
      httpServer((req, res) => {
        const left = Number(/^\/r\/(\d+)$/.exec(req.url!)?.[1] ?? 0);
        if (left > 0) res.writeHead(302, { location: `/r/${left - 1}` }).end();
        else res.end('landed');
      });

    it('follows up to 3', async () => {
      const server = await chain();
      const response = await guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/r/3` });
      expect(response).toMatchObject({ status: 200, url: `${server.origin}/r/0` });
      expect(response.body.toString()).toBe('landed');
      expect(server.requests).toHaveLength(4);
    });

    it('fails on a fourth', async () => {
      const server = await chain();
      const error = await rejectionOf(guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/r/4` }));
      expect(error).toBeInstanceOf(OutboundRequestFailedException);
      expect(error).toMatchObject({ code: 'outbound_request_failed', failure: 'too_many_redirects' });
      expect(error.message).toBe(`Too many redirects (more than 3); the last came from ${server.origin}.`);
      expect(server.requests).toHaveLength(4);
    });

    it('turns a POST into a GET without body after 303, and keeps both after 307', async () => {
      const server = await httpServer((req, res) => {
        if (req.url === '/see-other') res.writeHead(303, { location: '/landing' }).end();
        else if (req.url === '/temporary') res.writeHead(307, { location: '/landing' }).end();
        else res.end('ok');
      });
      const post = (path: string) =>
        guard(LOOPBACK).request({
          method: 'POST',
          url: `${server.origin}${path}`,
          headers: { 'content-type': 'application/json' },
          body: '{"a":1}',
        });
      await post('/see-other');
      expect(server.requests[1]).toMatchObject({ method: 'GET', url: '/landing', body: '' });
      expect(server.requests[1].headers['content-type']).toBeUndefined();
      await post('/temporary');
      expect(server.requests[3]).toMatchObject({ method: 'POST', url: '/landing', body: '{"a":1}' });
      expect(server.requests[3].headers['content-type']).toBe('application/json');
    });

    it('drops credentials when a redirect leaves the origin, keeps them within it', async () => {
      const other = await httpServer(ok);
      const server = await httpServer((req, res) => {
        if (req.url === '/away') res.writeHead(302, { location: `${other.origin}/there` }).end();
        else if (req.url === '/stay') res.writeHead(301, { location: '/here' }).end();
        else res.end('ok');
      });
      const headers = { Authorization: 'Bearer secret', Cookie: 'session=1', 'X-Trace': 't' };
      await guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/stay`, headers });
      expect(server.requests[1].headers).toMatchObject({ authorization: 'Bearer secret', cookie: 'session=1' });
      await guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/away`, headers });
      expect(other.requests[0].headers['x-trace']).toBe('t');
      expect(other.requests[0].headers.authorization).toBeUndefined();
      expect(other.requests[0].headers.cookie).toBeUndefined();
    });

    it('refuses a redirect to another scheme', async () => {
      const server = await httpServer((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
      const error = await rejectionOf(guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/` }));
      expect(error).toMatchObject({ code: 'outbound_request_failed', failure: 'invalid_url' });
    });
  });

  it('sends the POST body and the headers intact, and keeps the Host the guard chose', async () => {
    const server = await httpServer((_req, res, body) => res.end(body.toUpperCase()));
    const body = JSON.stringify({ text: 'héllo', n: 1 });
    const response = await guard(LOOPBACK).request({
      method: 'post',
      url: `${server.origin}/echo`,
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k-123', Host: 'evil.test', 'Content-Length': '1' },
      body,
    });
    expect(response.body.toString()).toBe(body.toUpperCase());
    const seen = server.requests[0];
    expect(seen).toMatchObject({ method: 'POST', body });
    expect(seen.headers).toMatchObject({
      'content-type': 'application/json',
      'x-api-key': 'k-123',
      host: `127.0.0.1:${server.port}`,
      'content-length': String(Buffer.byteLength(body)),
    });
  });

  describe('limits', () => {
    const big = (chunked: boolean) =>
      httpServer((_req, res) => {
        const payload = Buffer.alloc(2048, 'x');
        if (!chunked) res.setHeader('content-length', payload.length);
        res.write(payload.subarray(0, 1024));
        res.end(payload.subarray(1024));
      });

    it('fails a response above the caller limit (declared length)', async () => {
      const server = await big(false);
      const error = await rejectionOf(
        guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/`, maxResponseBytes: 1024 }),
      );
      expect(error).toMatchObject({ code: 'outbound_request_failed', failure: 'too_large' });
      expect(error.message).toBe(`The response from ${server.origin} is larger than 1024 bytes (the limit).`);
    });

    it('fails a streamed response above the configured cap, and reads one exactly at it', async () => {
      const server = await big(true);
      const capped = guard({ ...LOOPBACK, maxResponseBytes: 2047 });
      await expect(capped.request({ method: 'GET', url: `${server.origin}/` })).rejects.toMatchObject({
        failure: 'too_large',
      });
      const exact = guard({ ...LOOPBACK, maxResponseBytes: 2048 });
      expect(
        (await exact.request({ method: 'GET', url: `${server.origin}/`, maxResponseBytes: 4096 })).body,
      ).toHaveLength(2048);
    });

    it('times out a server that never answers (read timeout)', async () => {
      const server = await httpServer(() => undefined);
      const error = await rejectionOf(
        guard({ ...LOOPBACK, readTimeoutMs: 150 }).request({ method: 'GET', url: `${server.origin}/` }),
      );
      expect(error).toMatchObject({ code: 'outbound_request_failed', failure: 'read_timeout' });
      expect(error.message).toBe(`${server.origin} did not answer within 150 ms (read timeout).`);
    });

    it('times out a response that stalls midway', async () => {
      const server = await httpServer((_req, res) => {
        res.writeHead(200, { 'content-length': '10' });
        res.write('12345');
      });
      const error = await rejectionOf(
        guard({ ...LOOPBACK, readTimeoutMs: 150 }).request({ method: 'GET', url: `${server.origin}/` }),
      );
      expect(error).toMatchObject({ failure: 'read_timeout' });
      expect(error.message).toContain('in the middle of its response');
    });

    it('bounds connecting, TLS handshake included (connect timeout)', async () => {
      // A TCP server that accepts and says nothing: the TLS handshake never completes.
      const silent = await listen(createTcpServer(() => undefined));
      const error = await rejectionOf(
        guard({ ...LOOPBACK, connectTimeoutMs: 150, readTimeoutMs: 10_000 }).request({
          method: 'GET',
          url: `https://127.0.0.1:${silent.port}/`,
        }),
      );
      expect(error).toMatchObject({ code: 'outbound_request_failed', failure: 'connect_timeout' });
      expect(error.message).toBe(`Cannot connect to https://127.0.0.1:${silent.port} within 150 ms (connect timeout).`);
    });

    it('reports a refused connection', async () => {
      const server = await httpServer(ok);
      const { port } = server;
      await server.close();
      servers.splice(servers.indexOf(server), 1);
      const error = await rejectionOf(guard(LOOPBACK).request({ method: 'GET', url: `http://127.0.0.1:${port}/` }));
      expect(error).toMatchObject({
        failure: 'connect',
        message: `Cannot connect to http://127.0.0.1:${port} (ECONNREFUSED).`,
      });
    });
  });

  describe('cancellation', () => {
    it('stops a request in flight when the signal aborts', async () => {
      const server = await httpServer(() => undefined);
      const signal = new Cancellation();
      setTimeout(() => signal.abort(), 50);
      const started = Date.now();
      const error = await rejectionOf(guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/`, signal }));
      expect(error).toMatchObject({ code: 'outbound_request_failed', failure: 'aborted' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(server.connections).toBe(1);
    });

    it('sends nothing when the signal has already aborted', async () => {
      const server = await httpServer(ok);
      const signal = new Cancellation();
      signal.abort();
      await expect(guard(LOOPBACK).request({ method: 'GET', url: `${server.origin}/`, signal })).rejects.toMatchObject({
        failure: 'aborted',
      });
      expect(connects).toEqual([]);
    });

    it('stops waiting for a lookup when the signal aborts', async () => {
      const signal = new Cancellation();
      const hanging: HostResolver = () => new Promise(() => undefined);
      setTimeout(() => signal.abort(), 20);
      await expect(
        guard({ resolver: hanging }).request({ method: 'GET', url: 'http://slow.test/', signal }),
      ).rejects.toMatchObject({ failure: 'aborted' });
    });
  });

  it('refuses other schemes and methods without connecting', async () => {
    await expect(guard().request({ method: 'GET', url: 'file:///etc/passwd' })).rejects.toMatchObject({
      code: 'outbound_request_failed',
      failure: 'invalid_url',
    });
    await expect(guard().request({ method: 'GET', url: 'gopher://127.0.0.1:70/_x' })).rejects.toMatchObject({
      failure: 'invalid_url',
    });
    await expect(guard(LOOPBACK).request({ method: 'CONNECT', url: 'http://127.0.0.1:1/' })).rejects.toMatchObject({
      failure: 'invalid_request',
    });
    expect(connects).toEqual([]);
  });

  describe('https', () => {
    let dir: string | undefined;
    let tls: { key: Buffer; cert: Buffer } | undefined;

    beforeAll(() => {
      try {
        dir = mkdtempSync(join(tmpdir(), 'keel-ssrf-tls-'));
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
            '-days',
            '1',
            '-subj',
            '/CN=internal.test',
            '-addext',
            'subjectAltName=DNS:internal.test',
          ],
          { stdio: 'ignore' },
        );
        tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      } catch {
        console.warn('SKIPPED: the https cases of ssrf-guarded.http.spec need the openssl command');
      }
    });
    afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

    async function httpsServer(): Promise<TestServer & { servernames: string[] }> {
      const servernames: string[] = [];
      const server = createHttpsServer({ ...tls! }, (req, res) => {
        servernames.push((req.socket as TLSSocket).servername || '');
        res.end(`host=${req.headers.host}`);
      });
      return Object.assign(await listen(server, 'https'), { servernames });
    }

    it('verifies the certificate against the hostname while connecting to the checked address', async () => {
      if (!tls) return;
      const server = await httpsServer();
      const { resolve } = resolverFrom({ 'internal.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] });
      const http = guard({ ...LOOPBACK, resolver: resolve, ca: tls.cert });
      const response = await http.request({ method: 'GET', url: `https://internal.test:${server.port}/` });
      expect(response.body.toString()).toBe(`host=internal.test:${server.port}`);
      expect(server.servernames).toEqual(['internal.test']);
      expect(connects).toEqual(['127.0.0.1']);

      // Same address, a name the certificate does not cover: refused by TLS verification.
      await expect(http.request({ method: 'GET', url: `https://other.test:${server.port}/` })).rejects.toMatchObject({
        failure: 'connect',
        message: `Cannot connect to https://other.test:${server.port} (ERR_TLS_CERT_ALTNAME_INVALID).`,
      });
      // And an untrusted certificate is refused too.
      await expect(
        guard({ ...LOOPBACK, resolver: resolve }).request({
          method: 'GET',
          url: `https://internal.test:${server.port}/`,
        }),
      ).rejects.toMatchObject({ failure: 'connect' });
    });
  });
});
