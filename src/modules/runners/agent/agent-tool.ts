import type { ToolSpec } from '../../providers/model-provider';
import type { I18nText, Tool, ToolContext, ToolMessage } from '../../tools/tool.types';

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

/** Long tool output is cut so that one call cannot fill the model's context. */
const MAX_OBSERVATION_CHARS = 20_000;

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
    return failed(`The arguments for ${name} are not a JSON object: ${errorText(error)}`);
  }
  try {
    const messages = await tool.tool.invoke({ ...args, ...tool.formValues }, context);
    return { ...textOfToolMessages(messages), failed: false };
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return failed(`Tool ${name} failed: ${errorText(error)}`);
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Tool messages as one text (and the files they name). A tool that gives both a `json` message and
 * a `text` one (an API tool's JSON answer) says the same thing twice: the JSON is read only when
 * there is no text.
 */
export function textOfToolMessages(messages: ToolMessage[]): { text: string; files: string[] } {
  const parts: string[] = [];
  const files: string[] = [];
  const hasText = messages.some((message) => message.type === 'text');
  for (const message of messages) {
    switch (message.type) {
      case 'text':
        parts.push(message.text);
        break;
      case 'json':
        if (!hasText) parts.push(JSON.stringify(message.json));
        break;
      case 'file':
        files.push(message.fileId);
        parts.push(`File ${message.filename} (${message.mimeType}): ${message.url}`);
        break;
      case 'blob':
        parts.push(
          `Binary result${message.filename ? ` ${message.filename}` : ''} (${message.mimeType}, ${message.blob.length} bytes)`,
        );
        break;
      default:
        parts.push(`${message.type === 'link' ? 'Link' : 'Image'}: ${message.url}`);
    }
  }
  let text = parts.join('\n');
  if (text.length > MAX_OBSERVATION_CHARS) text = `${text.slice(0, MAX_OBSERVATION_CHARS)}\n[truncated]`;
  return { text: text || 'The tool returned nothing.', files };
}
