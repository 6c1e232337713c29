import { toApiSchemaPreview } from './api-schema-preview';
import { parseApiSchema } from './api-schema.parser';

describe('the console schema preview', () => {
  it("has Dify's shape: schema_type, parameters_schema, credentials_schema, warning", async () => {
    const parsed = await parseApiSchema(`
openapi: 3.0.0
info: {title: Weather}
servers: [{url: "https://weather.example.com"}]
paths:
  /forecast/{city}:
    get:
      operationId: forecast
      summary: Forecast for a city
      parameters:
        - {name: city, in: path, required: true, description: City name, schema: {type: string}}
        - {name: days, in: query, schema: {type: integer, default: 3}}
`);
    const preview = toApiSchemaPreview(parsed);

    // What goes over the wire is JSON: compare its JSON form.
    expect(JSON.parse(JSON.stringify(preview))).toEqual({
      schema_type: 'openapi',
      parameters_schema: [
        {
          server_url: 'https://weather.example.com/forecast/{city}',
          method: 'get',
          summary: 'Forecast for a city',
          operation_id: 'forecast',
          parameters: [
            {
              name: 'city',
              label: { en_US: 'city', zh_Hans: 'city', pt_BR: 'city', ja_JP: 'city' },
              placeholder: null,
              scope: null,
              auto_generate: null,
              template: null,
              required: true,
              default: null,
              min: null,
              max: null,
              precision: null,
              options: [],
              type: 'string',
              human_description: { en_US: 'City name', zh_Hans: 'City name', pt_BR: 'City name', ja_JP: 'City name' },
              form: 'llm',
              llm_description: 'City name',
              input_schema: null,
            },
            expect.objectContaining({
              name: 'days',
              type: 'number',
              required: false,
              default: 3,
              llm_description: null,
              human_description: { en_US: '', zh_Hans: '', pt_BR: '', ja_JP: '' },
            }),
          ],
          author: '',
          icon: null,
          openapi: {
            operationId: 'forecast',
            summary: 'Forecast for a city',
            parameters: [
              { name: 'city', in: 'path', required: true, description: 'City name', schema: { type: 'string' } },
              { name: 'days', in: 'query', schema: { type: 'integer', default: 3 } },
            ],
          },
          output_schema: {},
        },
      ],
      credentials_schema: [
        {
          type: 'select',
          name: 'auth_type',
          scope: null,
          required: true,
          default: 'none',
          options: [
            { value: 'none', label: { en_US: 'None', zh_Hans: '无', pt_BR: 'None', ja_JP: 'None' } },
            { value: 'api_key', label: { en_US: 'Api Key', zh_Hans: 'Api Key', pt_BR: 'Api Key', ja_JP: 'Api Key' } },
          ],
          label: null,
          help: null,
          url: null,
          placeholder: {
            en_US: 'Select auth type',
            zh_Hans: '选择认证方式',
            pt_BR: 'Select auth type',
            ja_JP: 'Select auth type',
          },
        },
        expect.objectContaining({ type: 'text-input', name: 'api_key_header', required: false, default: 'api_key' }),
        expect.objectContaining({ type: 'text-input', name: 'api_key_value', required: false, default: '' }),
      ],
      warning: {},
    });
  });

  it('passes the warnings on', async () => {
    const parsed = await parseApiSchema(
      JSON.stringify({
        swagger: '2.0',
        host: 'x.example',
        paths: { '/a': { get: { operationId: 'a' } } },
      }),
    );
    expect(toApiSchemaPreview(parsed)).toMatchObject({
      schema_type: 'swagger',
      warning: { missing_summary: 'No summary or description found in operation get /a.' },
    });
  });
});
