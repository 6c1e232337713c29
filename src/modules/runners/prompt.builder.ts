import type { AppModelConfig } from '../apps/app-model-config';
import type { ChatMessage, ContentPart } from '../providers/model-provider';
import { memoryMessages, type Turn } from './memory-window';
import { renderPrompt } from './prompt-template';

export interface PromptInput {
  mode: 'chat' | 'completion';
  config: AppModelConfig;
  inputs: Record<string, unknown>;
  query: string;
  images: ContentPart[];
  history: Turn[];
  memoryTokens: number;
}

function userContent(text: string, images: ContentPart[]): ChatMessage['content'] {
  return images.length === 0 ? text : [{ type: 'text', text }, ...images];
}

/**
 * What the model receives. Chat: the rendered `pre_prompt` as the system message, earlier turns
 * as real user/assistant messages within the memory budget, then the query. Completion: the
 * rendered `pre_prompt` is the prompt; the query fills `{{query}}` or follows it.
 */
export function buildPrompt(input: PromptInput): ChatMessage[] {
  const { config, inputs, query, images } = input;
  if (input.mode === 'completion') {
    const usesQuery = config.pre_prompt.includes('{{query}}');
    const prompt = renderPrompt(config.pre_prompt, usesQuery ? { ...inputs, query } : inputs);
    const text = usesQuery || !query ? prompt : prompt ? `${prompt}\n\n${query}` : query;
    return [{ role: 'user', content: userContent(text, images) }];
  }
  const messages: ChatMessage[] = [];
  const system = renderPrompt(config.pre_prompt, inputs).trim();
  if (system) messages.push({ role: 'system', content: system });
  messages.push(...memoryMessages(input.history, input.memoryTokens));
  messages.push({ role: 'user', content: userContent(query, images) });
  return messages;
}

/** The text of a message's content, its text parts joined. */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/**
 * What the model receives when the client holds the dialogue (the OpenAI-compatible face). Chat:
 * the app's rendered `pre_prompt` as the first system message, then the client's messages as sent.
 * Completion: the client's last user message is the query, rendered into the app's prompt as in
 * `buildPrompt` (its images kept); the messages before it go first, as sent.
 */
export function buildPromptFromMessages(
  mode: 'chat' | 'completion',
  config: AppModelConfig,
  inputs: Record<string, unknown>,
  messages: ChatMessage[],
): ChatMessage[] {
  if (mode === 'chat') {
    const system = renderPrompt(config.pre_prompt, inputs).trim();
    return system ? [{ role: 'system', content: system }, ...messages] : [...messages];
  }
  const last = messages.findLastIndex((message) => message.role === 'user');
  if (last < 0) return [...messages];
  const { content } = messages[last];
  const images = typeof content === 'string' ? [] : content.filter((part) => part.type === 'image_url');
  const [rendered] = buildPrompt({
    mode,
    config,
    inputs,
    query: textOf(content),
    images,
    history: [],
    memoryTokens: 0,
  });
  return [...messages.slice(0, last), rendered, ...messages.slice(last + 1)];
}
