import type { ToolSpec } from '../providers/model-provider';
import type { ToolDescription, ToolParameter } from './tool.types';

/** Parameters the model fills: `llm` ones, and an API tool's `schema` ones. */
export function modelParameters(tool: ToolDescription): ToolParameter[] {
  return tool.parameters.filter((p) => p.form === 'llm' || p.form === 'schema');
}

/**
 * The tool as the model sees it: its LLM description and a JSON Schema object of the parameters
 * the model fills. `form` parameters are the app's to set and never shown to the model.
 */
export function toolSpecOf(name: string, tool: ToolDescription): ToolSpec {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const parameter of modelParameters(tool)) {
    const schema: Record<string, unknown> = { type: jsonType(parameter) };
    const description = parameter.llm_description ?? parameter.human_description?.en_US;
    if (description) schema.description = description;
    if (parameter.type === 'select' && parameter.options?.length) schema.enum = parameter.options.map((o) => o.value);
    properties[parameter.name] = schema;
    if (parameter.required) required.push(parameter.name);
  }
  return {
    name,
    description: tool.description.llm || tool.description.human.en_US,
    parameters: { type: 'object', properties, required },
  };
}

function jsonType(parameter: ToolParameter): string {
  if (parameter.type === 'number') return 'number';
  if (parameter.type === 'boolean') return 'boolean';
  return 'string';
}
