import type { ToolParameter } from './tool.types';

/** The JSON Schema of a tool's arguments, as a function-calling model is given it. */
export interface LlmParametersSchema {
  type: 'object';
  properties: Record<string, { type: 'string' | 'number' | 'boolean'; description: string; enum?: string[] }>;
  required: string[];
}

/**
 * A tool's parameters → what the model sees, as Dify's agent runner builds it: the parameters the
 * model fills (`llm`, and an API tool's `schema` ones), `select` and `secret-input` as strings
 * (`select` with its options as `enum`), file parameters left out (a model cannot give a file).
 * A parameter without an LLM description is described by its human one.
 */
export function toLlmParametersSchema(parameters: readonly ToolParameter[]): LlmParametersSchema {
  const schema: LlmParametersSchema = { type: 'object', properties: {}, required: [] };
  for (const parameter of parameters) {
    if (parameter.form === 'form' || parameter.type === 'file') continue;
    const type = parameter.type === 'number' || parameter.type === 'boolean' ? parameter.type : 'string';
    const property: LlmParametersSchema['properties'][string] = {
      type,
      description: parameter.llm_description ?? parameter.human_description?.en_US ?? '',
    };
    if (parameter.type === 'select' && parameter.options?.length) {
      property.enum = parameter.options.map((option) => option.value);
    }
    Object.defineProperty(schema.properties, parameter.name, {
      value: property,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    if (parameter.required && !schema.required.includes(parameter.name)) schema.required.push(parameter.name);
  }
  return schema;
}
