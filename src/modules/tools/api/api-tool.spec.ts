import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoopbackHttp } from '../../../../test/support/loopback-http';
import { Cancellation } from '../../../common/lifecycle/cancel-signal';
import type { GuardedHttp } from '../../../common/ssrf/guarded-http';
import { ToolError, type ToolContext } from '../tool.types';
import { parseApiToolCredentials, type ApiToolCredentials } from './api-credentials';
import { API_TOOL_USER_AGENT } from './api-request.builder';
import { parseApiSchema } from './api-schema.parser';
import { ApiTool, ApiToolHttpError, EMPTY_RESPONSE_TEXT } from './api-tool';
import type { ApiToolBundle } from './api-tool-bundle';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const schema = (origin: string) => `
openapi: 3.0.0
info: {title: Loopback}
servers:
  - url: ${origin}/api
paths:
  /items/{itemId}:
    put:
      operationId: updateItem
      description: Update an item
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: X-Request-Id, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: theme, in: cookie, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                count: {type: integer}
                flag: {type: boolean, default: true}
                meta: {type: object}
  /forms:
    post:
      operationId: postForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                a: {type: string}
                b: {type: number}
  /uploads:
    post:
      operationId: postMultipart
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                title: {type: string}
                file: {type: string, format: binary}
  /status/{code}:
    get:
      operationId: status
      parameters:
        - {name: code, in: path, schema: {type: integer}}
  /secure:
    get:
      operationId: secure
      parameters:
        - {name: Authorization, in: header, schema: {type: string}}
        - {name: key, in: query, schema: {type: string}}
  /json:
    get: {operationId: json}
  /text:
    get: {operationId: text}
  /empty:
    get: {operationId: empty}
  /download:
    get: {operationId: download}
`;

describe('ApiTool', () => {
  let server: Server;
  let origin: string;
  let received: Received[];
  let bundles: Map<string, ApiToolBundle>;
  let http: LoopbackHttp;
  const context: ToolContext = { workspaceId: 'ws-1' };
  const none: ApiToolCredentials = { auth_type: 'none' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const path = new URL(req.url!, 'http://x').pathname;
        const status = /^\/api\/status\/(\d+)$/.exec(path);
        if (status) {
          res.writeHead(Number(status[1]), { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: 'no such item', detail: 'x'.repeat(2000) }));
        } else if (path === '/api/text') {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('plain words');
        } else if (path === '/api/empty') {
          res.writeHead(204);
          res.end();
        } else if (path === '/api/download') {
          res.writeHead(200, {
            'Content-Type': 'application/pdf',
            'Content-Disposition': 'attachment; filename="report.pdf"',
          });
          res.end(Buffer.from('%PDF-1.4'));
        } else {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ ok: true, path }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const parsed = await parseApiSchema(schema(origin));
    bundles = new Map(parsed.bundles.map((bundle) => [bundle.operation_id, bundle]));
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  beforeEach(() => {
    received = [];
    http = new LoopbackHttp();
  });

  const tool = (operationId: string, credentials: ApiToolCredentials = none) =>
    new ApiTool(bundles.get(operationId)!, credentials, http);

  it('describes itself from the bundle', () => {
    const updateItem = tool('updateItem');
    expect(updateItem.name).toBe('updateItem');
    expect(updateItem.label).toEqual({ en_US: 'updateItem', zh_Hans: 'updateItem' });
    expect(updateItem.description).toEqual({
      human: { en_US: 'Update an item', zh_Hans: 'Update an item' },
      llm: 'Update an item',
    });
    expect(updateItem.parameters.map((p) => p.name)).toEqual([
      'itemId',
      'q',
      'page',
      'X-Request-Id',
      'session',
      'theme',
      'name',
      'count',
      'flag',
      'meta',
    ]);
  });

  it('puts path, query, header and cookie parameters and the JSON body where they belong', async () => {
    const messages = await tool('updateItem').invoke(
      {
        itemId: 'a b/c',
        q: 'x y&z',
        'X-Request-Id': 'req-1',
        session: 's=1; evil',
        theme: 'dark',
        name: 'widget',
        count: '3',
        meta: '{"color":"red"}',
        unrelated: 'ignored',
      },
      context,
    );

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('PUT');
    expect(request.url).toBe('/api/items/a%20b%2Fc?q=x+y%26z&page=1');
    expect(request.headers['x-request-id']).toBe('req-1');
    expect(request.headers.cookie).toBe('session=s%3D1%3B%20evil; theme=dark');
    expect(request.headers['user-agent']).toBe(API_TOOL_USER_AGENT);
    expect(request.headers['content-type']).toBe('application/json');
    // Converted to the property types; the optional `flag` takes its default.
    expect(JSON.parse(request.body)).toEqual({ name: 'widget', count: 3, flag: true, meta: { color: 'red' } });
    expect(messages).toEqual([
      { type: 'json', json: { ok: true, path: '/api/items/a%20b%2Fc' } },
      { type: 'text', text: JSON.stringify({ ok: true, path: '/api/items/a%20b%2Fc' }) },
    ]);
  });

  it('leaves out optional parameters the model did not give', async () => {
    await tool('updateItem').invoke({ itemId: '7', name: 'n', q: null }, context);
    const [request] = received;
    expect(request.url).toBe('/api/items/7?page=1');
    expect(request.headers.cookie).toBeUndefined();
    expect(request.headers['x-request-id']).toBeUndefined();
    expect(JSON.parse(request.body)).toEqual({ name: 'n', flag: true });
  });

  it('sends a URL-encoded form and a multipart form', async () => {
    await tool('postForm').invoke({ a: 'hello world', b: 2 }, context);
    expect(received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received[0].body).toBe('a=hello+world&b=2');

    await tool('postMultipart').invoke({ title: 'Q3' }, context);
    const contentType = received[1].headers['content-type']!;
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(contentType)?.[1];
    expect(boundary).toBeDefined();
    expect(received[1].body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nQ3\r\n--${boundary}--\r\n`,
    );

    await expect(tool('postMultipart').invoke({ title: 'Q3', file: 'x' }, context)).rejects.toThrow(
      new ToolError('Parameter file is a file upload, which API tools cannot send yet'),
    );
  });

  it('refuses a call missing a required parameter, naming it, without sending anything', async () => {
    await expect(tool('updateItem').invoke({ itemId: '7' }, context)).rejects.toThrow(
      new ToolError('Missing required parameter name'),
    );
    await expect(tool('updateItem').invoke({}, context)).rejects.toThrow(
      new ToolError('Missing required parameters itemId, name'),
    );
    await expect(tool('updateItem').invoke({ itemId: '..', name: 'n' }, context)).rejects.toThrow(ToolError);
    expect(received).toHaveLength(0);
    expect(http.requests).toHaveLength(0);
  });

  it('turns an error status into a ToolError with the status and the start of the body', async () => {
    const failure = tool('status').invoke({ code: 404 }, context);
    await expect(failure).rejects.toBeInstanceOf(ApiToolHttpError);
    const error = (await failure.catch((e: unknown) => e)) as ApiToolHttpError;
    expect(error).toBeInstanceOf(ToolError);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/^Request failed with status code 404 and \{"error":"no such item","detail":"x+…$/);
    expect(error.message.length).toBeLessThan(600);
  });

  it('answers text as text, nothing as Dify says, an attachment as a blob', async () => {
    await expect(tool('text').invoke({}, context)).resolves.toEqual([{ type: 'text', text: 'plain words' }]);
    await expect(tool('empty').invoke({}, context)).resolves.toEqual([{ type: 'text', text: EMPTY_RESPONSE_TEXT }]);
    await expect(tool('download').invoke({}, context)).resolves.toEqual([
      { type: 'blob', blob: Buffer.from('%PDF-1.4'), mimeType: 'application/pdf', filename: 'report.pdf' },
    ]);
  });

  describe('credentials', () => {
    it('none: no Authorization header, no key', async () => {
      await tool('json').invoke({}, context);
      expect(received[0].headers.authorization).toBeUndefined();
      expect(received[0].url).toBe('/api/json');
    });

    it.each([
      ['bearer', 'Bearer sk-123'],
      ['basic', 'Basic sk-123'],
      ['custom', 'sk-123'],
    ] as const)('api_key_header with the %s prefix', async (prefix, expected) => {
      const credentials = parseApiToolCredentials({
        auth_type: 'api_key_header',
        api_key_value: 'sk-123',
        api_key_header_prefix: prefix,
      });
      await tool('json', credentials).invoke({}, context);
      expect(received[0].headers.authorization).toBe(expected);
    });

    it('api_key_header under its own header name, winning over a parameter of the same name', async () => {
      const credentials = parseApiToolCredentials({
        auth_type: 'api_key_header',
        api_key_header: 'authorization',
        api_key_value: 'secret',
        api_key_header_prefix: 'bearer',
      });
      await tool('secure', credentials).invoke({ Authorization: 'Bearer from-the-model' }, context);
      expect(received[0].headers.authorization).toBe('Bearer secret');
      expect(received[0].headers['x-api-key']).toBeUndefined();

      const custom = parseApiToolCredentials({
        auth_type: 'api_key_header',
        api_key_header: 'X-API-Key',
        api_key_value: 'k1',
      });
      await tool('json', custom).invoke({}, context);
      expect(received[1].headers['x-api-key']).toBe('k1');
      expect(received[1].headers.authorization).toBeUndefined();
    });

    it("Dify's legacy auth_type api_key is api_key_header", async () => {
      const credentials = parseApiToolCredentials({ auth_type: 'api_key', api_key_value: 'legacy' });
      await tool('json', credentials).invoke({}, context);
      expect(received[0].headers.authorization).toBe('legacy');
    });

    it('api_key_query adds the key to the query, winning over a parameter of the same name', async () => {
      const byDefault = parseApiToolCredentials({ auth_type: 'api_key_query', api_key_value: 'q-secret' });
      await tool('secure', byDefault).invoke({ key: 'from-the-model' }, context);
      expect(received[0].url).toBe('/api/secure?key=q-secret');

      const named = parseApiToolCredentials({
        auth_type: 'api_key_query',
        api_key_query_param: 'apiKey',
        api_key_value: 'v',
      });
      await tool('json', named).invoke({}, context);
      expect(received[1].url).toBe('/api/json?apiKey=v');
      expect(received[1].headers.authorization).toBeUndefined();
    });
  });

  it('reports a request that could not be sent as a ToolError that does not quote the query (the key)', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        servers: [{ url: 'http://10.0.0.9:81' }],
        paths: { '/x': { get: { operationId: 'elsewhere' } } },
      }),
    );
    const credentials = parseApiToolCredentials({ auth_type: 'api_key_query', api_key_value: 'do-not-leak' });
    const call = new ApiTool(parsed.bundles[0], credentials, http).invoke({}, context);
    await expect(call).rejects.toBeInstanceOf(ToolError);
    const error = (await call.catch((e: unknown) => e)) as ToolError;
    expect(error.message).toBe('Request to http://10.0.0.9:81/x failed: LoopbackHttp: 10.0.0.9 is not loopback');
    expect(error.message).not.toContain('do-not-leak');
    expect(http.requests[0].url).toBe('http://10.0.0.9:81/x?key=do-not-leak');
  });

  it('lets a cancelled call end as the cancellation, not as a ToolError', async () => {
    const signal = new Cancellation();
    const stopped = new Error('stopped by the user');
    const stopping: GuardedHttp = {
      request: (request) => {
        expect(request.signal).toBe(signal);
        signal.abort(stopped);
        return Promise.reject(stopped);
      },
    };
    await expect(new ApiTool(bundles.get('json')!, none, stopping).invoke({}, { ...context, signal })).rejects.toBe(
      stopped,
    );
  });

  it('fills path parameters into the path only, never into the host', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        servers: [{ url: 'http://{tenant}.example.com' }],
        paths: { '/{tenant}/x': { get: { operationId: 'tenantX', parameters: [{ name: 'tenant', in: 'path' }] } } },
      }),
    );
    await new ApiTool(parsed.bundles[0], none, http).invoke({ tenant: '127.0.0.1' }, context).catch(() => undefined);
    expect(http.requests[0].url).toBe('http://{tenant}.example.com/127.0.0.1/x');
  });
});
