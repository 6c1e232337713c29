import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { bootTestApp, type TestApp } from '../support/test-app';
import { appWithProbe } from '../support/probe.controller';

const INVALID_JSON = 'Invalid JSON payload received or JSON payload is empty.';

describe('HTTP pipeline: error envelope, body parsing, CORS, docs (SQLite)', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    t = await bootTestApp(
      { HTTP_BODY_LIMIT: '2kb', CONSOLE_CORS_ORIGINS: 'https://console.example.com' },
      appWithProbe,
    );
    http = request(t.baseUrl);
  });

  afterAll(() => t.close());

  describe('unknown routes', () => {
    it('answer 404 not_found in the Dify envelope', async () => {
      const res = await http.get('/v1/no-such-endpoint').expect(404);
      expect(res.body).toEqual({
        code: 'not_found',
        message: expect.stringContaining('The requested URL was not found on the server'),
        status: 404,
      });
    });

    it('answer 404, not 401, when credentials are sent', async () => {
      const res = await http.get('/console/api/nothing-here').set('Authorization', 'Bearer app-whatever').expect(404);
      expect(res.body.code).toBe('not_found');
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('answer 405 method_not_allowed with Allow for a known path and a wrong method', async () => {
      const res = await http.delete('/health/live').expect(405);
      expect(res.body).toEqual({
        code: 'method_not_allowed',
        message: 'The method is not allowed for the requested URL.',
        status: 405,
      });
      expect(res.headers.allow).toBe('GET, HEAD');
    });
  });

  describe('JSON bodies', () => {
    it('reject malformed JSON on a matched route', async () => {
      const res = await http
        .post('/v1/__probe/echo')
        .set('Content-Type', 'application/json')
        .send('{"query": ')
        .expect(400);
      expect(res.body).toEqual({ code: 'bad_request', message: INVALID_JSON, status: 400 });
    });

    it('reject malformed JSON on an unmatched route too (parsed before routing)', async () => {
      const res = await http
        .post('/v1/does-not-exist')
        .set('Content-Type', 'application/json')
        .send('{oops')
        .expect(400);
      expect(res.body).toEqual({ code: 'bad_request', message: INVALID_JSON, status: 400 });
    });

    it('reject an empty body where the endpoint requires one', async () => {
      const res = await http.post('/v1/__probe/echo').set('Content-Type', 'application/json').expect(400);
      expect(res.body).toEqual({ code: 'bad_request', message: INVALID_JSON, status: 400 });
    });

    it('reject a non-JSON body where the endpoint requires JSON', async () => {
      const res = await http.post('/v1/__probe/echo').set('Content-Type', 'text/plain').send('query=hi').expect(400);
      expect(res.body.message).toBe(INVALID_JSON);
    });

    it('accept a bodiless POST that needs no body, even with a JSON content type', async () => {
      const res = await http.post('/v1/__probe/ping').set('Content-Type', 'application/json').expect(200);
      expect(res.body).toEqual({ result: 'success' });
    });

    it('accept a bodiless GET with a JSON content type', async () => {
      await http.get('/health/live').set('Content-Type', 'application/json').expect(200);
    });

    it('name the field that failed validation with invalid_param', async () => {
      const res = await http.post('/v1/__probe/echo').send({ inputs: {} }).expect(400);
      expect(res.body).toEqual({ code: 'invalid_param', message: 'query is required', status: 400 });

      const wrongType = await http.post('/v1/__probe/echo').send({ query: 'hi', inputs: {}, limit: 500 }).expect(400);
      expect(wrongType.body.code).toBe('invalid_param');
      expect(wrongType.body.message).toMatch(/^limit: /);
    });

    it('pass a valid body through to the handler', async () => {
      const body = { query: 'hello', inputs: { name: 'Ada' } };
      const res = await http.post('/v1/__probe/echo').send(body).expect(200);
      expect(res.body).toEqual(body);
    });

    it('answer 413 request_entity_too_large over HTTP_BODY_LIMIT', async () => {
      const res = await http
        .post('/v1/__probe/echo')
        .send({ query: 'x'.repeat(4_096), inputs: {} })
        .expect(413);
      expect(res.body).toMatchObject({ code: 'request_entity_too_large', status: 413 });
    });

    it('answer 413 for a chunked body (no Content-Length) that grows over the limit', async () => {
      const { status, text } = await rawPost(t.baseUrl, '/v1/__probe/echo', {
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks: ['{"query":"', 'x'.repeat(1_500), 'y'.repeat(1_500), '","inputs":{}}'],
      });
      expect(status).toBe(413);
      expect(JSON.parse(text)).toMatchObject({ code: 'request_entity_too_large', status: 413 });
    });

    it('reject a JSON scalar as a body (objects and arrays only, as body-parser)', async () => {
      const res = await http.post('/v1/__probe/echo').set('Content-Type', 'application/json').send('42').expect(400);
      expect(res.body).toEqual({ code: 'bad_request', message: INVALID_JSON, status: 400 });
    });

    it('read a body split across many chunks, with a multi-byte character on a chunk boundary', async () => {
      const bytes = Buffer.from(JSON.stringify({ query: 'héllo ✓', inputs: {} }));
      const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
      const { status, text } = await rawPost(t.baseUrl, '/v1/__probe/echo', {
        headers: { 'content-type': 'application/json; charset=UTF-8', 'transfer-encoding': 'chunked' },
        chunks: [bytes.subarray(0, split), bytes.subarray(split)],
      });
      expect({ status, text }).toMatchObject({ status: 200 });
      expect(JSON.parse(text)).toEqual({ query: 'héllo ✓', inputs: {} });
    });

    it('inflate a gzip-compressed JSON body', async () => {
      const { status, text } = await rawPost(t.baseUrl, '/v1/__probe/echo', {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        chunks: [gzipSync(JSON.stringify({ query: 'zipped', inputs: {} }))],
      });
      expect(status).toBe(200);
      expect(JSON.parse(text)).toEqual({ query: 'zipped', inputs: {} });
    });

    it('answer 415 for a JSON body in a charset other than UTF-8', async () => {
      const res = await http
        .post('/v1/__probe/echo')
        .set('Content-Type', 'application/json; charset=latin1')
        .send('{"query":"x","inputs":{}}')
        .expect(415);
      expect(res.body).toMatchObject({ code: 'unsupported_media_type', status: 415 });
    });
  });

  describe('auth and server errors', () => {
    it('add WWW-Authenticate to every 401', async () => {
      const res = await http.get('/v1/__probe/unauthorized').expect(401);
      expect(res.body).toEqual({ code: 'unauthorized', message: 'Access token is invalid', status: 401 });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('answer 403 forbidden with the framework reason', async () => {
      const res = await http.get('/v1/__probe/forbidden').expect(403);
      expect(res.body).toMatchObject({ code: 'forbidden', status: 403 });
    });

    it('turn an unexpected error into 500 unknown with no internal detail', async () => {
      const res = await http.get('/v1/__probe/crash').set('X-Request-Id', 'crash-1').expect(500);
      expect(res.body).toEqual({ code: 'unknown', message: 'Internal Server Error', status: 500 });
      expect(res.text).not.toContain('hunter2');
      expect(res.text).not.toContain('at ');
    });

    it('log the unexpected error, with its stack, under the request id', () => {
      const lines = t.logs().filter((l) => l.requestId === 'crash-1');
      const errorLine = lines.find((l) => l.msg === 'unhandled error');
      expect(errorLine).toMatchObject({
        level: 50,
        route: '/v1/__probe/crash',
        err: { message: expect.stringContaining('leaked') },
      });
      expect(errorLine?.err.stack).toContain('ProbeController.crash');
      const requestLine = lines.find((l) => l.res?.statusCode === 500);
      expect(requestLine).toMatchObject({ route: '/v1/__probe/crash', req: { method: 'GET' } });
    });
    it('log an error raised after a JSON body was read under the request id too', async () => {
      await http
        .post('/v1/__probe/crash-body')
        .set('X-Request-Id', 'crash-body-1')
        .send({ query: 'x', inputs: {} })
        .expect(500);
      const errorLine = t.logs().find((l) => l.requestId === 'crash-body-1' && l.msg === 'unhandled error');
      expect(errorLine).toMatchObject({ level: 50, route: '/v1/__probe/crash-body' });
    });
  });

  describe('request log', () => {
    it('writes an aborted line, not a status, for a client that goes away mid-request', async () => {
      const req = httpRequest(`${t.baseUrl}/v1/__probe/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '100', 'x-request-id': 'gone-1' },
      });
      req.on('error', () => undefined);
      req.write('{"query":');
      await new Promise((r) => setTimeout(r, 50));
      req.destroy();
      const aborted = () => t.logs().find((l) => l.requestId === 'gone-1' && l.aborted === true);
      await eventually(() => aborted() !== undefined, 'the aborted request line');
      expect(aborted()).toMatchObject({ level: 30, msg: 'POST (unmatched) aborted', req: { method: 'POST' } });
    });
  });

  describe('request ids', () => {
    it('echo a caller-supplied X-Request-Id on an API route', async () => {
      const res = await http.get('/v1/__probe/forbidden').set('X-Request-Id', 'req-abc.123').expect(403);
      expect(res.headers['x-request-id']).toBe('req-abc.123');
    });

    it('address a plugin indicator by its URL-encoded key', async () => {
      const res = await http.get('/health/plugin:acme%2Fweather').expect(404);
      expect(res.body).toEqual({
        code: 'not_found',
        message: 'No health indicator named "plugin:acme/weather".',
        status: 404,
      });
    });

    it('generate one on /health/live when none is sent', async () => {
      const res = await http.get('/health/live').expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('replace an id that is not a plain token (no header or log injection)', async () => {
      const res = await http.get('/health/live').set('X-Request-Id', 'bad id\twith spaces').expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('CORS and headers', () => {
    it('let any origin call /v1, without credentials', async () => {
      const res = await http
        .options('/v1/chat-messages')
        .set('Origin', 'https://anywhere.example')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('let only the configured console origin call /console/api, with credentials', async () => {
      const allowed = await http
        .options('/console/api/login')
        .set('Origin', 'https://console.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.com');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');

      const refused = await http
        .options('/console/api/login')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('send helmet security headers and no X-Powered-By', async () => {
      const res = await http.get('/health/live').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('API docs', () => {
    it('serve the OpenAPI document generated from the controllers at /docs-json', async () => {
      const res = await http.get('/docs-json').expect(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/health/live', '/health/ready', '/health/{indicator}']),
      );
    });

    it('serve Swagger UI at /docs', async () => {
      const res = await http.get('/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('swagger-ui');
    });
  });
});

/** A POST written chunk by chunk (supertest would buffer and set Content-Length). */
function rawPost(
  baseUrl: string,
  path: string,
  options: { headers: Record<string, string>; chunks: Array<string | Buffer> },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method: 'POST', headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of options.chunks) req.write(chunk);
    req.end();
  });
}
