import type { ChatMessage } from '../providers/model-provider';
import { countMessageTokens } from './token-counter';

export interface Turn {
  query: string;
  answer: string;
}

/**
 * The earlier turns that fit the budget, newest kept first, returned oldest first as alternating
 * user/assistant messages (models follow a real dialogue better than history folded into the
 * system prompt). A turn is kept whole or not at all.
 */
export function memoryMessages(turns: Turn[], budgetTokens: number): ChatMessage[] {
  const kept: ChatMessage[][] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const pair: ChatMessage[] = [
      { role: 'user', content: turns[i].query },
      { role: 'assistant', content: turns[i].answer },
    ];
    const cost = countMessageTokens(pair);
    if (used + cost > budgetTokens) break;
    used += cost;
    kept.unshift(pair);
  }
  return kept.flat();
}
