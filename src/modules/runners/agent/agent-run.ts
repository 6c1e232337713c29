import type { CancelSignal } from '../../../common/lifecycle/cancel-signal';
import type { ChatMessage, ModelProvider } from '../../providers/model-provider';
import type { ToolContext } from '../../tools/tool.types';
import type { AgentThought } from './agent-thought';
import type { AgentTool } from './agent-tool';

/** Everything one agent turn needs, whichever strategy runs it. */
export interface AgentRun {
  provider: ModelProvider;
  credentials: Record<string, unknown>;
  model: string;
  params: Record<string, unknown>;
  /** The app's prompt, history and the user's query, as for a plain chat turn. */
  prompt: ChatMessage[];
  tools: AgentTool[];
  /** Rounds of tool calls before the model must answer without tools. */
  maxIteration: number;
  signal: CancelSignal;
  onSent?: () => void;
  toolContext: ToolContext;
}

/** What an agent strategy yields: the answer's text, token usage per model call, its steps, the end. */
export type AgentEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  | { type: 'thought'; thought: AgentThought }
  | { type: 'finish'; reason: string };

/** Told to the model on the round after its last allowed tool call. */
export const LAST_ROUND_NOTE =
  'You have used every tool call allowed for this message. Answer now with what you know, and say what you could not find out.';
