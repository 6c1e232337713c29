import { request as httpRequest } from 'node:http';
import { spawnServer, type ServerProcess, waitUntilReady } from '../support/server-process';

/** Boots Keel as a real process: what an operator sees at the terminal and in the logs. */
describe('Keel as a process', () => {
  describe('refuses to boot on invalid configuration', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['an unknown DB_TYPE', { DB_TYPE: 'oracle' }, /DB_TYPE: must be one of sqlite, postgres, mysql, mariadb/],
      ['a non-numeric PORT', { PORT: 'eighty' }, /PORT: must be an integer/],
      [
        'a missing SECRET_KEY in production',
        { NODE_ENV: 'production' },
        /SECRET_KEY: is required when NODE_ENV=production/,
      ],
    ];

    it.each(cases)('%s: exits non-zero naming the variable', async (_name, env, expected) => {
      const server = await spawnServer(env);
      try {
        expect(await server.exited).toBe(1);
        expect(server.output()).toMatch(expected);
        expect(server.output()).not.toContain('Nest application successfully started');
      } finally {
        server.cleanup();
      }
    });

    it('lists every bad variable in one message', async () => {
      const server = await spawnServer({ PORT: '0x50', LOG_LEVEL: 'loud', DB_POOL_SIZE: '-1' });
      try {
        expect(await server.exited).toBe(1);
        const out = server.output();
        expect(out).toMatch(/Invalid configuration \(3 problems\)/);
        for (const name of ['PORT', 'LOG_LEVEL', 'DB_POOL_SIZE']) expect(out).toContain(`- ${name}:`);
      } finally {
        server.cleanup();
      }
    });
  });

  describe('running on the embedded defaults', () => {
    let server: ServerProcess;

    beforeAll(async () => {
      server = await spawnServer({ LOG_LEVEL: 'info', LOG_FORMAT: 'json', SHUTDOWN_TIMEOUT_MS: '10000' });
      await waitUntilReady(server);
    });

    afterAll(() => server.cleanup());

    it('logs each request once as JSON with method, route, status, duration and request id', async () => {
      const res = await fetch(`${server.baseUrl}/v1/unknown-thing?api_key=leaky-query-secret`, {
        headers: {
          'X-Request-Id': 'trace-42',
          Authorization: 'Bearer app-SuperSecretKey123',
          Cookie: 'session=cookie-secret',
        },
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBe('trace-42');
      await new Promise((r) => setTimeout(r, 200));
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.includes('"trace-42"'))
        .map((l) => JSON.parse(l) as Record<string, any>);
      const requestLines = lines.filter((l) => l.res?.statusCode !== undefined);
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({
        requestId: 'trace-42',
        route: '(unmatched)',
        req: { method: 'GET' },
        res: { statusCode: 404 },
      });
      expect(typeof requestLines[0].responseTime).toBe('number');
    });

    it('never writes secrets from headers or query strings to the log', () => {
      const out = server.output();
      expect(out).not.toContain('SuperSecretKey123');
      expect(out).not.toContain('cookie-secret');
      expect(out).not.toContain('leaky-query-secret');
      expect(out).toContain('[redacted]');
    });

    it('echoes the request id on /health/live, whose request logging is suppressed', async () => {
      const res = await fetch(`${server.baseUrl}/health/live`, { headers: { 'X-Request-Id': 'live-7' } });
      expect(res.headers.get('x-request-id')).toBe('live-7');
      await new Promise((r) => setTimeout(r, 100));
      expect(server.output()).not.toContain('"live-7"');
    });

    it('finishes an in-flight request after SIGTERM, then exits cleanly', async () => {
      const { port } = server;
      // A request whose body is still arriving when the signal lands: it is in flight.
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/slow-upload',
            headers: { 'Content-Type': 'application/json', 'Content-Length': '2' },
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write('{');
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end('}'), 700);
        }, 200);
      });
      const { status, body } = await response;
      expect(status).toBe(404);
      expect(JSON.parse(body)).toMatchObject({ code: 'not_found' });
      // Nest re-raises the signal once its shutdown hooks are done: the conventional clean exit.
      expect([0, 'SIGTERM']).toContain(await server.exited);
      expect(server.output()).not.toContain('shutdown timeout reached');
      expect(server.output()).toContain('draining in-flight requests');
      // New connections are refused once it is gone.
      await expect(fetch(`${server.baseUrl}/health/live`)).rejects.toThrow();
    });
  });
});
