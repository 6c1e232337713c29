import { errorMessage } from '../../../common/errors/error-message';
import type { ToolSpec } from '../../providers/model-provider';
import { textOfToolMessages } from '../../tools/tool-messages.text';
import type { I18nText, Tool, ToolContext } from '../../tools/tool.types';

/** A tool as one agent turn offers it to the model. */
export interface AgentTool {
  /** The name the model calls it by (unique within the turn). */
  name: string;
  label: I18nText;
  tool: Tool;
  spec: ToolSpec;
  /** The app's values for the tool's `form` parameters; the model's arguments never override them. */
  formValues: Record<string, unknown>;
}

/** What a tool call gave back, as the model will read it. */
export interface ToolOutcome {
  text: string;
  /** Stored files the tool produced. */
  files: string[];
  failed: boolean;
}

/**
 * Runs one call the model asked for. Whatever goes wrong — an unknown tool, arguments that are not
 * a JSON object, the tool's own failure — becomes text the model reads as the observation: a failing
 * tool must not end the turn.
 */
export async function invokeAgentTool(
  tools: AgentTool[],
  name: string,
  rawArguments: string | Record<string, unknown>,
  context: ToolContext,
): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.name === name);
  if (!tool)
    return failed(
      `There is no tool named "${name}". Available tools: ${tools.map((t) => t.name).join(', ') || 'none'}.`,
    );
  let args: Record<string, unknown>;
  try {
    args = typeof rawArguments === 'string' ? parseArguments(rawArguments) : rawArguments;
  } catch (error) {
    return failed(`The arguments for ${name} are not a JSON object: ${errorMessage(error)}`);
  }
  try {
    const messages = await tool.tool.invoke({ ...args, ...tool.formValues }, context);
    return { ...textOfToolMessages(messages), failed: false };
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return failed(`Tool ${name} failed: ${errorMessage(error)}`);
  }
}

function parseArguments(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected an object');
  return value as Record<string, unknown>;
}

function failed(text: string): ToolOutcome {
  return { text, files: [], failed: true };
}
