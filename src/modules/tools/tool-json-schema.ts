import type { ToolSpec } from '../providers/model-provider';
import { toLlmParametersSchema } from './llm-parameters-schema';
import type { ToolDescription } from './tool.types';

/**
 * The tool as the model sees it, under the name it calls it by: its LLM description (else its human
 * one) and the JSON Schema of the parameters the model fills.
 */
export function toolSpecOf(name: string, tool: ToolDescription): ToolSpec {
  return {
    name,
    description: tool.description.llm || tool.description.human.en_US,
    parameters: { ...toLlmParametersSchema(tool.parameters) },
  };
}
