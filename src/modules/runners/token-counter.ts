import type { Tiktoken } from 'js-tiktoken/lite';
import type { ChatMessage } from '../providers/model-provider';

let encoder: Tiktoken | undefined;

/**
 * cl100k_base, loaded on first use: its ranks take ~250 ms to load, which boot should not pay.
 * Counts are for budgeting (memory window, usage when the upstream reports none); providers with
 * other tokenizers differ by a few percent, which the budget's margin absorbs.
 */
function tokenizer(): Tiktoken {
  if (!encoder) {
    /* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy loading */
    const { Tiktoken } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    // The ranks entry has types only under node16 resolution; its CommonJS export is the ranks object.
    const ranks = require('js-tiktoken/ranks/cl100k_base') as ConstructorParameters<typeof Tiktoken>[0];
    /* eslint-enable @typescript-eslint/no-require-imports */
    encoder = new Tiktoken(ranks);
  }
  return encoder;
}

export function countTokens(text: string): number {
  return text ? tokenizer().encode(text).length : 0;
}

// OpenAI's accounting: every message costs a few tokens of framing, every reply 3 to prime.
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

export function countMessageTokens(messages: ChatMessage[]): number {
  let total = REPLY_PRIMING;
  for (const message of messages) {
    total += PER_MESSAGE;
    if (typeof message.content === 'string') total += countTokens(message.content);
    else for (const part of message.content) if (part.type === 'text') total += countTokens(part.text);
  }
  return total;
}
