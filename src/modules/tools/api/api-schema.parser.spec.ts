import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import { derivedOperationId, parseApiSchema, type FetchSchemaText } from './api-schema.parser';

const petstore = {
  openapi: '3.0.3',
  info: { title: 'Pets', description: 'A pet store', version: '1.0.0' },
  servers: [{ url: 'https://pets.example.com/v1' }],
  paths: {
    '/pets/{petId}': {
      get: {
        operationId: 'getPet',
        summary: 'Get a pet',
        description: 'Returns one pet by id',
        parameters: [
          { name: 'petId', in: 'path', required: true, description: 'The pet id', schema: { type: 'integer' } },
          { name: 'verbose', in: 'query', schema: { type: 'boolean', default: false } },
          { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
        ],
      },
    },
    '/pets': {
      post: {
        operationId: 'createPet',
        summary: 'Create a pet',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } },
        },
      },
    },
  },
  components: {
    schemas: {
      NewPet: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', description: 'The name' },
          age: { type: 'integer', default: 1 },
          tags: { type: 'array', items: { type: 'string' }, default: [] },
        },
      },
    },
  },
};

async function rejection(promise: Promise<unknown>): Promise<ApiSchemaException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiSchemaException) return error;
    throw error;
  }
  throw new Error('expected the schema to be refused');
}

describe('parseApiSchema', () => {
  it('reads an OpenAPI 3 document in JSON: one bundle per operation, parameters from every place', async () => {
    const parsed = await parseApiSchema(JSON.stringify(petstore));

    expect(parsed.schema_type).toBe('openapi');
    expect(parsed.description).toBe('A pet store');
    expect(parsed.warnings).toEqual({});
    expect(parsed.bundles.map((b) => [b.operation_id, b.method, b.server_url])).toEqual([
      ['getPet', 'get', 'https://pets.example.com/v1/pets/{petId}'],
      ['createPet', 'post', 'https://pets.example.com/v1/pets'],
    ]);

    const [getPet, createPet] = parsed.bundles;
    expect(getPet.summary).toBe('Returns one pet by id');
    expect(getPet.author).toBe('');
    expect(getPet.icon).toBeNull();
    expect(getPet.parameters).toEqual([
      {
        name: 'petId',
        label: { en_US: 'petId', zh_Hans: 'petId' },
        human_description: { en_US: 'The pet id', zh_Hans: 'The pet id' },
        type: 'number',
        required: true,
        form: 'llm',
        llm_description: 'The pet id',
      },
      expect.objectContaining({ name: 'verbose', type: 'boolean', required: false, default: false }),
      expect.objectContaining({ name: 'X-Trace', type: 'string', required: false }),
    ]);
    expect(getPet.openapi.operationId).toBe('getPet');
    expect(getPet.openapi.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:petId',
      'query:verbose',
      'header:X-Trace',
    ]);

    expect(createPet.summary).toBe('Create a pet');
    expect(createPet.parameters).toEqual([
      expect.objectContaining({ name: 'name', type: 'string', required: true, llm_description: 'The name' }),
      expect.objectContaining({ name: 'age', type: 'number', required: false, default: 1, llm_description: '' }),
      // A list default is dropped, as Dify does; the type is Dify's "else string".
      expect.not.objectContaining({ default: expect.anything() }),
    ]);
    expect(createPet.parameters[2]).toMatchObject({ name: 'tags', type: 'string' });
    // The bundle keeps the resolved body schema: running it needs nothing else from the document.
    expect(createPet.openapi.requestBody?.content['application/json'].schema).toEqual(
      petstore.components.schemas.NewPet,
    );
  });

  it('reads the same document in YAML', async () => {
    const yaml = `
openapi: 3.0.0
info:
  title: Pets
servers:
  - url: https://pets.example.com/v1
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
          schema:
            type: integer
`;
    const parsed = await parseApiSchema(yaml);
    expect(parsed.schema_type).toBe('openapi');
    expect(parsed.description).toBe('');
    expect(parsed.bundles).toHaveLength(1);
    expect(parsed.bundles[0]).toMatchObject({
      operation_id: 'getPet',
      server_url: 'https://pets.example.com/v1/pets/{petId}',
      summary: null,
      parameters: [expect.objectContaining({ name: 'petId', type: 'number', required: true })],
    });
  });

  it('follows $ref in parameters, request bodies, body properties and allOf', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.1.0',
        info: { title: 'Refs' },
        servers: [{ url: 'https://api.example.com' }],
        paths: {
          '/orders/{id}': {
            parameters: [{ $ref: '#/components/parameters/OrderId' }],
            put: {
              operationId: 'updateOrder',
              parameters: [{ $ref: '#/components/parameters/Limit' }],
              requestBody: { $ref: '#/components/requestBodies/Order' },
            },
          },
        },
        components: {
          parameters: {
            OrderId: { name: 'id', in: 'path', description: 'Order id', schema: { $ref: '#/components/schemas/Id' } },
            Limit: { name: 'limit', in: 'query', schema: { type: ['integer', 'null'], default: 10 } },
          },
          requestBodies: {
            Order: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } },
          },
          schemas: {
            Id: { type: 'string', format: 'uuid' },
            Base: {
              type: 'object',
              required: ['status'],
              properties: { status: { $ref: '#/components/schemas/Status' } },
            },
            Status: { type: 'string', enum: ['open', 'closed'], description: 'Order status' },
            Order: {
              allOf: [
                { $ref: '#/components/schemas/Base' },
                {
                  properties: {
                    quantity: { description: 'How many', allOf: [{ $ref: '#/components/schemas/Count' }] },
                  },
                },
              ],
            },
            Count: { type: 'integer' },
          },
        },
      }),
    );

    const [bundle] = parsed.bundles;
    expect(bundle.parameters).toEqual([
      expect.objectContaining({ name: 'id', type: 'string', required: true, llm_description: 'Order id' }),
      expect.objectContaining({ name: 'limit', type: 'number', required: false, default: 10 }),
      expect.objectContaining({ name: 'status', type: 'string', required: true, llm_description: 'Order status' }),
      expect.objectContaining({ name: 'quantity', type: 'number', required: false, llm_description: 'How many' }),
    ]);
    const schema = bundle.openapi.requestBody?.content['application/json'].schema;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['open', 'closed'] }, quantity: { type: 'integer' } },
    });
    expect(bundle.openapi.parameters?.[0]).toMatchObject({ name: 'id', in: 'path', schema: { type: 'string' } });
  });

  it("names an operation without operationId by Dify's rule: path stripped of [^A-Za-z0-9_-], then _method", async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'x' },
        servers: [{ url: 'http://localhost:3000' }],
        paths: {
          '/': { get: { summary: 'root' } },
          '/api/resources': { get: {}, post: { operationId: 'createResource' } },
          '/users/{user_id}/posts.json': { delete: {} },
        },
      }),
    );
    expect(parsed.bundles.map((b) => b.operation_id)).toEqual([
      '<root>_get',
      'apiresources_get',
      'createResource',
      'usersuser_idpostsjson_delete',
    ]);
    expect(derivedOperationId('/a-b/c_d', 'patch')).toBe('a-bc_d_patch');
  });

  it('refuses two operations with the same operationId, naming both', async () => {
    const error = await rejection(
      parseApiSchema(
        JSON.stringify({
          openapi: '3.0.0',
          info: { title: 'x' },
          servers: [{ url: 'https://x.example' }],
          paths: { '/a': { get: { operationId: 'same' } }, '/b': { post: { operationId: 'same' } } },
        }),
      ),
    );
    expect(error.kind).toBe(ApiSchemaErrorKind.DuplicateOperation);
    expect(error.message).toBe(
      'invalid schema: operationId "same" is used by both GET /a and POST /b; each operation needs its own',
    );
    expect(error.getStatus()).toBe(400);
    expect(error.code).toBe('invalid_param');
  });

  it('warns about a parameter name used twice, as Dify does', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'x' },
        servers: [{ url: 'https://x.example' }],
        paths: {
          '/items/{id}': {
            put: {
              parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }],
              requestBody: {
                content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' } } } } },
              },
            },
          },
        },
      }),
    );
    expect(parsed.warnings).toEqual({ duplicated_parameter: 'Parameter id is duplicated.' });
  });

  it('refuses an external $ref without fetching it', async () => {
    const fetchText = jest.fn<Promise<string>, [string]>();
    const error = await rejection(
      parseApiSchema(
        JSON.stringify({
          openapi: '3.0.0',
          info: { title: 'x' },
          servers: [{ url: 'https://x.example' }],
          paths: {
            '/a': {
              post: {
                requestBody: {
                  content: { 'application/json': { schema: { $ref: 'http://169.254.169.254/latest/schema.json' } } },
                },
              },
            },
          },
        }),
        { fetchText },
      ),
    );
    expect(error.kind).toBe(ApiSchemaErrorKind.ExternalRef);
    expect(error.message).toContain('"http://169.254.169.254/latest/schema.json"');
    expect(error.message).toContain('paths["/a"].post.requestBody.content["application/json"].schema');
    expect(error.message).toContain('never fetched');
    expect(fetchText).not.toHaveBeenCalled();

    const file = await rejection(
      parseApiSchema(
        'openapi: 3.0.0\ninfo: {title: x}\nservers: [{url: "https://x.example"}]\npaths:\n  /a:\n    $ref: "./paths.yaml#/a"\n',
      ),
    );
    expect(file.kind).toBe(ApiSchemaErrorKind.ExternalRef);
  });

  it('refuses a local $ref that points nowhere, or goes round in a circle', async () => {
    const base = { openapi: '3.0.0', info: { title: 'x' }, servers: [{ url: 'https://x.example' }] };
    const missing = await rejection(
      parseApiSchema(
        JSON.stringify({
          ...base,
          paths: { '/a': { get: { parameters: [{ $ref: '#/components/parameters/Nope' }] } } },
        }),
      ),
    );
    expect(missing.kind).toBe(ApiSchemaErrorKind.BadRef);
    expect(missing.message).toContain(
      '"#/components/parameters/Nope" at paths["/a"].get.parameters[0] points to nothing',
    );

    const circular = await rejection(
      parseApiSchema(
        JSON.stringify({
          ...base,
          paths: { '/a': { get: { parameters: [{ $ref: '#/components/parameters/A' }] } } },
          components: {
            parameters: { A: { $ref: '#/components/parameters/B' }, B: { $ref: '#/components/parameters/A' } },
          },
        }),
      ),
    );
    expect(circular.kind).toBe(ApiSchemaErrorKind.BadRef);
    expect(circular.message).toContain('circular $ref');
  });

  it('reads a self-referencing schema (a tree) without following it forever', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'x' },
        servers: [{ url: 'https://x.example' }],
        paths: {
          '/nodes': {
            post: {
              requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
            },
          },
        },
        components: {
          schemas: {
            Node: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
                parent: { $ref: '#/components/schemas/Node' },
              },
            },
          },
        },
      }),
    );
    expect(parsed.bundles[0].parameters.map((p) => [p.name, p.type])).toEqual([
      ['name', 'string'],
      ['children', 'string'],
      ['parent', 'string'],
    ]);
  });

  it('converts Swagger 2.0: host/basePath, body and query parameters, definitions', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        swagger: '2.0',
        info: { title: 'Old', description: 'An old API', version: '1' },
        host: 'old.example.com',
        basePath: '/api',
        schemes: ['https'],
        consumes: ['application/json'],
        paths: {
          '/users/{id}': {
            parameters: [{ name: 'id', in: 'path', type: 'integer', description: 'User id' }],
            get: {
              operationId: 'getUser',
              summary: 'Get a user',
              parameters: [{ name: 'fields', in: 'query', type: 'string', default: 'all' }],
            },
            put: {
              operationId: 'putUser',
              description: 'Replace a user',
              parameters: [{ name: 'user', in: 'body', required: true, schema: { $ref: '#/definitions/User' } }],
            },
          },
          '/login': {
            post: {
              operationId: 'login',
              consumes: ['application/x-www-form-urlencoded'],
              parameters: [
                { name: 'username', in: 'formData', type: 'string', required: true },
                { name: 'remember', in: 'formData', type: 'boolean' },
              ],
            },
          },
        },
        definitions: {
          User: {
            type: 'object',
            required: ['email'],
            properties: { email: { type: 'string' }, admin: { type: 'boolean' } },
          },
        },
      }),
    );

    expect(parsed.schema_type).toBe('swagger');
    expect(parsed.description).toBe('An old API');
    expect(parsed.warnings).toEqual({ missing_summary: 'No summary or description found in operation post /login.' });
    const [getUser, putUser, login] = parsed.bundles;
    expect(getUser).toMatchObject({ server_url: 'https://old.example.com/api/users/{id}', summary: 'Get a user' });
    expect(getUser.parameters).toEqual([
      expect.objectContaining({ name: 'id', type: 'number', required: true, llm_description: 'User id' }),
      expect.objectContaining({ name: 'fields', type: 'string', required: false, default: 'all' }),
    ]);
    expect(putUser.parameters).toEqual([
      expect.objectContaining({ name: 'id', required: true }),
      expect.objectContaining({ name: 'email', type: 'string', required: true }),
      expect.objectContaining({ name: 'admin', type: 'boolean', required: false }),
    ]);
    expect(Object.keys(putUser.openapi.requestBody!.content)).toEqual(['application/json']);
    expect(Object.keys(login.openapi.requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(login.parameters.map((p) => [p.name, p.type, p.required])).toEqual([
      ['username', 'string', true],
      ['remember', 'boolean', false],
    ]);
  });

  it('reads an OpenAI plugin manifest by fetching its api.url through the given fetch function', async () => {
    const stubFetchText = jest.fn<Promise<string>, [string]>(async () =>
      JSON.stringify({
        openapi: '3.0.1',
        info: { title: 'Todo', description: 'A todo list' },
        servers: [{ url: '/api' }],
        paths: { '/todos': { get: { operationId: 'listTodos', summary: 'List todos' } } },
      }),
    );
    const manifest = {
      schema_version: 'v1',
      name_for_model: 'todo',
      api: { type: 'openapi', url: 'https://todo.example.com/openapi.json' },
    };

    const parsed = await parseApiSchema(JSON.stringify(manifest), { fetchText: stubFetchText });

    expect(stubFetchText).toHaveBeenCalledWith('https://todo.example.com/openapi.json');
    expect(parsed.schema_type).toBe('openai_plugin');
    expect(parsed.description).toBe('A todo list');
    // A relative server is relative to the document's own URL.
    expect(parsed.bundles.map((b) => [b.operation_id, b.server_url])).toEqual([
      ['listTodos', 'https://todo.example.com/api/todos'],
    ]);
  });

  it('refuses an OpenAI plugin manifest whose api.type is not openapi, or with nothing to fetch it', async () => {
    const graphql = await rejection(
      parseApiSchema(JSON.stringify({ api: { type: 'graphql', url: 'https://x.example/g' } }), {
        fetchText: () => Promise.reject(new Error('must not be called')),
      }),
    );
    expect(graphql.kind).toBe(ApiSchemaErrorKind.Unsupported);
    expect(graphql.message).toContain('Only openapi is supported now');

    const unfetchable = await rejection(
      parseApiSchema(JSON.stringify({ api: { type: 'openapi', url: 'https://x.example/openapi.yaml' } })),
    );
    expect(unfetchable.kind).toBe(ApiSchemaErrorKind.Unsupported);

    const failing: FetchSchemaText = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const failed = await rejection(
      parseApiSchema(JSON.stringify({ api: { type: 'openapi', url: 'https://x.example/openapi.yaml' } }), {
        fetchText: failing,
      }),
    );
    expect(failed.kind).toBe(ApiSchemaErrorKind.FetchFailed);
    expect(failed.message).toContain('ECONNREFUSED');
  });

  it('names the line and column of malformed JSON', async () => {
    const error = await rejection(
      parseApiSchema('{\n  "openapi": "3.0.0",\n  "info": {"title": "x"}\n  "paths": {}\n}'),
    );
    expect(error.kind).toBe(ApiSchemaErrorKind.Syntax);
    expect(error.message).toBe(`invalid schema: not valid JSON: expected ',' or '}', found "\\"" at line 4, column 3`);
    expect(error.location).toEqual({ line: 4, column: 3 });

    const unquoted = await rejection(parseApiSchema('{"openapi": "3.0.0", "paths": {"/a": {"get": }}}'));
    expect(unquoted.message).toBe('invalid schema: not valid JSON: expected a value, found "}" at line 1, column 46');
  });

  it('names the line of malformed YAML', async () => {
    const error = await rejection(parseApiSchema('openapi: 3.0.0\ninfo:\n  title: x\n bad: indent\npaths: {}\n'));
    expect(error.kind).toBe(ApiSchemaErrorKind.Syntax);
    expect(error.message).toMatch(/^invalid schema: not valid YAML: .+ at line 4, column 1$/);
    expect(error.location?.line).toBe(4);
  });

  it('refuses what is not an API schema', async () => {
    const yaml = await rejection(parseApiSchema('name: my config\nitems: [1, 2]\n'));
    expect(yaml.kind).toBe(ApiSchemaErrorKind.NotAnApiSchema);
    expect(yaml.message).toContain('not an API schema');

    const text = await rejection(parseApiSchema('just some words'));
    expect(text.kind).toBe(ApiSchemaErrorKind.NotAnApiSchema);
    expect(text.message).toContain('not a plain string');

    const version = await rejection(parseApiSchema('{"openapi": "4.0.0", "paths": {}}'));
    expect(version.message).toContain('openapi: "4.0.0" is not a version Keel reads');

    const empty = await rejection(parseApiSchema('  \n'));
    expect(empty.kind).toBe(ApiSchemaErrorKind.Syntax);
  });

  it('says which part is missing or malformed', async () => {
    const noServer = await rejection(parseApiSchema(JSON.stringify({ openapi: '3.0.0', info: {}, paths: {} })));
    expect(noServer.message).toContain('No server found');
    expect(noServer.location).toEqual({ path: 'servers' });

    const noName = await rejection(
      parseApiSchema(
        JSON.stringify({
          openapi: '3.0.0',
          servers: [{ url: 'https://x.example' }],
          paths: { '/a': { get: { parameters: [{ in: 'query' }] } } },
        }),
      ),
    );
    expect(noName.message).toBe('invalid schema: the parameter at paths["/a"].get.parameters[0] has no name');

    const badIn = await rejection(
      parseApiSchema(
        JSON.stringify({
          openapi: '3.0.0',
          servers: [{ url: 'https://x.example' }],
          paths: { '/a': { get: { parameters: [{ name: 'q', in: 'querystring' }] } } },
        }),
      ),
    );
    expect(badIn.message).toContain('has in: "querystring"; expected path, query, header or cookie');
  });

  it('accepts any server URL at parse time, server variables taking their defaults', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        servers: [
          {
            url: 'http://{host}:{port}/base/',
            variables: { host: { default: '10.0.0.5' }, port: { default: '8080' } },
          },
        ],
        paths: { '/ping': { get: { operationId: 'ping' } } },
      }),
    );
    expect(parsed.bundles[0].server_url).toBe('http://10.0.0.5:8080/base/ping');
  });

  it('caps the schema size, the number of operations and the nesting depth', async () => {
    const big = await rejection(
      parseApiSchema(`{"openapi": "3.0.0", "x": "${'a'.repeat(2000)}"}`, { limits: { maxSchemaBytes: 1000 } }),
    );
    expect(big.kind).toBe(ApiSchemaErrorKind.TooLarge);
    expect(big.message).toContain('at most 1000 bytes');

    const paths = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`/op${i}`, { get: {} }]));
    const many = await rejection(
      parseApiSchema(JSON.stringify({ openapi: '3.0.0', servers: [{ url: 'https://x.example' }], paths }), {
        limits: { maxOperations: 3 },
      }),
    );
    expect(many.kind).toBe(ApiSchemaErrorKind.TooComplex);
    expect(many.message).toBe('invalid schema: the schema has 4 operations; at most 3 are accepted');

    const deep = await rejection(parseApiSchema(`{"openapi": "3.0.0", "x": ${'['.repeat(300)}${']'.repeat(300)}}`));
    expect(deep.kind).toBe(ApiSchemaErrorKind.TooComplex);

    const selfAlias = await rejection(parseApiSchema('openapi: 3.0.0\nx: &loop\n  - *loop\n'));
    expect(selfAlias.kind).toBe(ApiSchemaErrorKind.TooComplex);
  });

  it('keeps a default 1 MB text cap and 100 operations', async () => {
    const text = `{"openapi": "3.0.0", "x": "${'a'.repeat(1024 * 1024)}"}`;
    expect((await rejection(parseApiSchema(text))).kind).toBe(ApiSchemaErrorKind.TooLarge);

    const paths = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`/op${i}`, { get: {} }]));
    const many = await rejection(
      parseApiSchema(JSON.stringify({ openapi: '3.0.0', servers: [{ url: 'https://x.example' }], paths })),
    );
    expect(many.message).toContain('at most 100');
  });
});
