import { gzipSync } from 'node:zlib';
import { LoopbackHttp } from '../../../../../test/support/loopback-http';
import { ApiException } from '../../../../common/errors/api.exception';
import type { GuardedHttp } from '../../../../common/ssrf/guarded-http';
import { ToolError, type Tool } from '../../tool.types';
import { builtinToolProviders } from '../builtin-tool-providers';
import { closedPort, loopbackServer, type LoopbackServer } from '../loopback-server.spec-support';
import { HTTP_REQUEST_MAX_BODY_CHARS, parseHeaders } from './http-request.tool';

const context = { workspaceId: 'ws-1' };

function httpRequestTool(http: GuardedHttp): Tool {
  return builtinToolProviders(http).find((p) => p.name === 'http')!.tools[0];
}

async function text(tool: Tool, params: Record<string, unknown>): Promise<string> {
  const messages = await tool.invoke(params, context);
  expect(messages).toHaveLength(1);
  return (messages[0] as { type: 'text'; text: string }).text;
}

describe('http_request', () => {
  let server: LoopbackServer;
  const http = new LoopbackHttp();
  const tool = httpRequestTool(http);

  beforeAll(async () => {
    server = await loopbackServer((request, res) => {
      const path = new URL(request.url, 'http://x').pathname;
      if (path === '/echo') {
        res.writeHead(201, { 'content-type': 'application/json', 'x-reply': 'yes' });
        res.end(JSON.stringify({ got: request.body }));
      } else if (path === '/fail') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('boom: the database is down');
      } else if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('x'.repeat(100_000));
      } else if (path === '/png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
      } else if (path === '/gzip') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        res.end(gzipSync('unzipped text'));
      } else if (path === '/latin1') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  afterAll(() => server.close());

  it('sends the method, URL, JSON headers and body intact and returns status, headers and body', async () => {
    const body = '{"name":"Ada","tags":["x"]}';
    const result = await text(tool, {
      method: 'POST',
      url: `${server.origin}/echo?page=2&q=a%20b`,
      headers: '{"X-Api-Key": "secret-1", "Accept": "application/json", "X-Count": 3}',
      body,
    });
    const seen = server.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/echo?page=2&q=a%20b', body });
    expect(seen.headers).toMatchObject({
      'x-api-key': 'secret-1',
      accept: 'application/json',
      'x-count': '3',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    });
    const [head, responseBody] = result.split('\n\n');
    expect(head.split('\n')[0]).toBe('HTTP 201 Created');
    expect(head).toContain('content-type: application/json');
    expect(head).toContain('x-reply: yes');
    expect(JSON.parse(responseBody)).toEqual({ got: body });
  });

  it('takes "Name: value" header lines and keeps an explicit Content-Type', async () => {
    await text(tool, {
      method: 'PUT',
      url: `${server.origin}/put`,
      headers: 'Content-Type: text/csv\nAuthorization: Bearer abc:def\n\nX-Multi: 1\nx-multi: 2',
      body: 'a,b\n1,2\n',
    });
    const seen = server.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'PUT', body: 'a,b\n1,2\n' });
    expect(seen.headers).toMatchObject({
      'content-type': 'text/csv',
      authorization: 'Bearer abc:def',
      'x-multi': '1, 2',
    });
  });

  it('sends a plain-text body as text/plain and defaults to GET', async () => {
    await text(tool, { method: 'DELETE', url: `${server.origin}/d`, body: 'just words' });
    expect(server.seen.at(-1)!.headers['content-type']).toBe('text/plain; charset=utf-8');
    const result = await text(tool, { url: `${server.origin}/nothing` });
    expect(result).toMatch(/^HTTP 204 No Content\ndate: .*\n\n\(empty body\)$/);
    expect(result).not.toMatch(/^(connection|keep-alive):/m);
    expect(server.seen.at(-1)!.method).toBe('GET');
  });

  it('drops connection headers the model must not set', async () => {
    await text(tool, {
      url: `${server.origin}/h`,
      headers: '{"Host": "evil.example", "Content-Length": "999", "Accept-Encoding": "gzip", "X-Ok": "1"}',
    });
    const { headers } = server.seen.at(-1)!;
    expect(headers.host).toBe(server.origin.slice('http://'.length));
    expect(headers['content-length']).toBeUndefined();
    expect(headers['accept-encoding']).toBeUndefined();
    expect(headers['x-ok']).toBe('1');
  });

  it('returns an error status as text with its body, not as a tool error', async () => {
    const result = await text(tool, { url: `${server.origin}/fail` });
    expect(result.split('\n')[0]).toBe('HTTP 500 Internal Server Error');
    expect(result.endsWith('\n\nboom: the database is down')).toBe(true);
  });

  it('answers HEAD without a body', async () => {
    const result = await text(tool, { method: 'HEAD', url: `${server.origin}/echo` });
    expect(result.split('\n')[0]).toBe('HTTP 201 Created');
    expect(result.endsWith('\n\n(no body: HEAD request)')).toBe(true);
    await expect(tool.invoke({ method: 'HEAD', url: `${server.origin}/echo`, body: 'x' }, context)).rejects.toThrow(
      'http_request: a HEAD request cannot carry a body',
    );
  });

  it('truncates a large body and says so', async () => {
    const result = await text(tool, { url: `${server.origin}/big` });
    expect(result).toContain(`\n\n[truncated: showing the first ${HTTP_REQUEST_MAX_BODY_CHARS} of 100000 characters]`);
    expect(result.length).toBeLessThan(HTTP_REQUEST_MAX_BODY_CHARS + 500);
  });

  it('describes a binary body instead of dumping it, decodes gzip and honours the charset', async () => {
    expect(await text(tool, { url: `${server.origin}/png` })).toMatch(
      /\n\n\(binary body: 12 bytes of image\/png, not shown\)$/,
    );
    expect(await text(tool, { url: `${server.origin}/gzip` })).toMatch(/\n\nunzipped text$/);
    expect(await text(tool, { url: `${server.origin}/latin1` })).toMatch(/\n\ncafé$/);
  });

  it('turns a refused connection into a ToolError carrying the reason', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const failure = tool.invoke({ url }, context);
    await expect(failure).rejects.toThrow(ToolError);
    await expect(failure).rejects.toThrow(
      new RegExp(`^http_request: GET ${url.replace(/\./g, '\\.')} failed: .*ECONNREFUSED`),
    );
  });

  it('turns a request the SSRF guard blocks into a ToolError carrying the guard message', async () => {
    const blocking: GuardedHttp = {
      request: () =>
        Promise.reject(
          new ApiException(400, 'ssrf_blocked', 'Requests to 10.0.0.5 (a private address) are not allowed.'),
        ),
    };
    await expect(httpRequestTool(blocking).invoke({ url: 'http://intranet.example/' }, context)).rejects.toThrow(
      'http_request: GET http://intranet.example/ failed: blocked by the outbound request policy: Requests to 10.0.0.5 (a private address) are not allowed.',
    );
    await expect(httpRequestTool(blocking).invoke({ url: 'http://intranet.example/' }, context)).rejects.toBeInstanceOf(
      ToolError,
    );
    const failing: GuardedHttp = {
      request: () =>
        Promise.reject(new ApiException(502, 'outbound_request_failed', 'The response exceeded 2097152 bytes.')),
    };
    await expect(httpRequestTool(failing).invoke({ url: 'https://example.com/huge' }, context)).rejects.toThrow(
      'http_request: GET https://example.com/huge failed: The response exceeded 2097152 bytes.',
    );
  });

  it('rejects a URL that is not absolute http(s)', async () => {
    await expect(tool.invoke({ url: '/relative' }, context)).rejects.toThrow(
      'http_request: "/relative" is not an absolute URL',
    );
    await expect(tool.invoke({ url: 'file:///etc/passwd' }, context)).rejects.toThrow(
      'http_request: only http and https URLs can be fetched, not file (file:///etc/passwd)',
    );
  });
});

describe('parseHeaders', () => {
  it('reads a JSON object or "Name: value" lines', () => {
    expect(parseHeaders('')).toEqual({});
    expect(parseHeaders('{"A": "1", "b": true}')).toEqual({ A: '1', b: 'true' });
    expect(parseHeaders('A: 1\r\nB:  two words ')).toEqual({ A: '1', B: 'two words' });
  });

  it('rejects malformed headers with a ToolError that says which', () => {
    expect(() => parseHeaders('{"A": ')).toThrow(/^http_request: headers look like JSON but do not parse/);
    expect(() => parseHeaders('{"A": {"nested": 1}}')).toThrow(
      'http_request: the value of header "A" must be a string',
    );
    expect(() => parseHeaders('no colon here')).toThrow(
      'http_request: the header line "no colon here" is not "Name: value"',
    );
    expect(() => parseHeaders('Bad Name: x')).toThrow('http_request: "Bad Name" is not a valid header name');
    expect(() => parseHeaders('{"X-Evil": "a\\r\\nInjected: 1"}')).toThrow(
      'http_request: the value of header "X-Evil" must be a single line',
    );
  });
});
