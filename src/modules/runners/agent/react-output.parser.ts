/** What one ReAct round of model text amounts to. */
export type ReactStep =
  | { kind: 'action'; thought: string; action: string; input: Record<string, unknown> | string }
  | { kind: 'answer'; thought: string; answer: string };

const FINAL_ANSWER = /(?:^|\n)\s*Final Answer\s*:\s*/i;
const ACTION = /(?:^|\n)\s*Action\s*:\s*/i;

/**
 * Reads a ReAct round: `Thought: … Action: {"action": …, "action_input": …}` (the JSON bare or in a
 * fenced block), `Final Answer: …`, or an action named "Final Answer" (the form some prompts teach).
 * Text with neither is the model answering directly, which is taken as the answer.
 */
export function parseReactOutput(text: string): ReactStep {
  const final = FINAL_ANSWER.exec(text);
  const action = ACTION.exec(text);
  if (final && (!action || final.index < action.index)) {
    return {
      kind: 'answer',
      thought: thoughtOf(text.slice(0, final.index)),
      answer: text.slice(final.index + final[0].length).trim(),
    };
  }
  if (action) {
    const thought = thoughtOf(text.slice(0, action.index));
    const blob = jsonObjectIn(text.slice(action.index + action[0].length));
    if (blob && typeof blob.action === 'string') {
      const input = blob.action_input ?? {};
      if (/^final answer$/i.test(blob.action.trim())) {
        return { kind: 'answer', thought, answer: typeof input === 'string' ? input : JSON.stringify(input) };
      }
      return { kind: 'action', thought, action: blob.action.trim(), input: inputOf(input) };
    }
  }
  return { kind: 'answer', thought: '', answer: thoughtOf(text) };
}

/** The text after a leading `Thought:`, trimmed. */
function thoughtOf(text: string): string {
  return text.replace(/^\s*Thought\s*:\s*/i, '').trim();
}

function inputOf(value: unknown): Record<string, unknown> | string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Not JSON: handed on as text, which the tool call reports as bad arguments.
    }
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The first balanced `{…}` in the text that parses as a JSON object. Models wrap the blob in
 * fences, add prose around it or trail off; scanning for the balanced braces (strings respected)
 * finds it in all of those.
 */
function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    const end = closingBrace(text, start);
    if (end < 0) return undefined;
    try {
      const value: unknown = JSON.parse(text.slice(start, end + 1));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Not this one; try the next brace.
    }
  }
  return undefined;
}

function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}
