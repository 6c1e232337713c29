import type { ToolParameter } from './tool.types';
import { toLlmParametersSchema } from './llm-parameters-schema';
import { parseApiSchema } from './api/api-schema.parser';

const parameter = (overrides: Partial<ToolParameter> & Pick<ToolParameter, 'name'>): ToolParameter => ({
  type: 'string',
  required: false,
  label: { en_US: overrides.name },
  form: 'llm',
  ...overrides,
});

describe('toLlmParametersSchema', () => {
  it("builds the JSON Schema the model sees from an API tool's parameters", async () => {
    const { bundles } = await parseApiSchema(
      JSON.stringify({
        openapi: '3.0.0',
        servers: [{ url: 'https://x.example' }],
        paths: {
          '/search': {
            post: {
              parameters: [{ name: 'q', in: 'query', required: true, description: 'What to look for' }],
              requestBody: {
                content: {
                  'multipart/form-data': {
                    schema: {
                      type: 'object',
                      properties: {
                        limit: { type: 'integer' },
                        exact: { type: 'boolean' },
                        file: { type: 'string', format: 'binary' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      }),
    );
    expect(toLlmParametersSchema(bundles[0].parameters)).toEqual({
      type: 'object',
      properties: {
        q: { type: 'string', description: 'What to look for' },
        limit: { type: 'number', description: '' },
        exact: { type: 'boolean', description: '' },
      },
      required: ['q'],
    });
  });

  it('keeps what the model fills, as strings where the type is a form widget, select options as enum', () => {
    expect(
      toLlmParametersSchema([
        parameter({
          name: 'unit',
          type: 'select',
          options: [
            { value: 'c', label: { en_US: 'C' } },
            { value: 'f', label: { en_US: 'F' } },
          ],
        }),
        parameter({ name: 'token', type: 'secret-input', form: 'schema', required: true, llm_description: 'A token' }),
        parameter({ name: 'region', form: 'form' }),
      ]),
    ).toEqual({
      type: 'object',
      properties: {
        unit: { type: 'string', description: '', enum: ['c', 'f'] },
        token: { type: 'string', description: 'A token' },
      },
      required: ['token'],
    });
  });
});
