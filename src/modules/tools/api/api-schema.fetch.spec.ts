import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoopbackHttp } from '../../../../test/support/loopback-http';
import { API_TOOL_USER_AGENT } from './api-request.builder';
import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import { fetchSchemaTextThrough } from './api-schema.fetch';
import { parseApiSchema } from './api-schema.parser';

describe('fetchSchemaTextThrough', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/openapi.yaml') {
        res.writeHead(200, { 'Content-Type': 'application/yaml' });
        res.end(
          `openapi: 3.0.0\ninfo: {title: t}\nservers: [{url: "/v1"}]\npaths:\n  /hello:\n    get: {operationId: hello}\n`,
        );
      } else {
        res.writeHead(404);
        res.end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  it('fetches the OpenAPI document of an OpenAI plugin manifest through the guard', async () => {
    const http = new LoopbackHttp();
    const parsed = await parseApiSchema(JSON.stringify({ api: { type: 'openapi', url: `${origin}/openapi.yaml` } }), {
      fetchText: fetchSchemaTextThrough(http),
    });
    expect(parsed.schema_type).toBe('openai_plugin');
    expect(parsed.bundles.map((b) => b.server_url)).toEqual([`${origin}/v1/hello`]);
    expect(http.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: `${origin}/openapi.yaml`,
        headers: expect.objectContaining({ 'User-Agent': API_TOOL_USER_AGENT }),
      }),
    ]);
  });

  it('refuses an answer other than 200, or one over the size cap', async () => {
    const fetchText = fetchSchemaTextThrough(new LoopbackHttp(), 64);
    await expect(fetchText(`${origin}/missing`)).rejects.toMatchObject({
      kind: ApiSchemaErrorKind.FetchFailed,
      message: `invalid schema: cannot get the OpenAPI document from ${origin}/missing: it answered 404`,
    });
    const tooBig = await fetchText(`${origin}/openapi.yaml`).catch((error: unknown) => error);
    expect(tooBig).toBeInstanceOf(ApiSchemaException);
    expect((tooBig as ApiSchemaException).kind).toBe(ApiSchemaErrorKind.TooLarge);
  });
});
