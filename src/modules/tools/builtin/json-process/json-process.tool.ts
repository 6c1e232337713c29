import { JSONPath } from 'jsonpath-plus';
import { ToolError } from '../../tool.types';
import type { BuiltinToolImplementation } from '../builtin-tool-provider';
import { truncateText } from '../outbound';

/** The most of a result the model is shown as text; the json message always holds all of it. */
export const JSON_PROCESS_MAX_TEXT_CHARS = 32_000;

/**
 * `json_process(content, query)`: the values a JSONPath query selects in a JSON document. Returns a
 * json message `{ query, matches }` and a text message: "no match", the single match (a string
 * as itself, anything else as JSON) or the matches as a JSON array.
 */
export function jsonProcess(): BuiltinToolImplementation {
  return async (params) => {
    const content = params.content as string;
    const query = params.query as string;
    let document: unknown;
    try {
      document = JSON.parse(content);
    } catch (error) {
      throw new ToolError(`json_process: content is not valid JSON: ${(error as Error).message}`);
    }
    const path = normalizePath(query);
    const problem = unbalanced(path);
    if (problem) throw new ToolError(`json_process: invalid JSONPath "${query}": ${problem}`);

    let matches: unknown[];
    try {
      // 'safe': filter expressions run in jsonpath-plus's own evaluator, never through eval/Function.
      matches = JSONPath({ path, json: document as object, wrap: true, eval: 'safe' });
    } catch (error) {
      throw new ToolError(`json_process: invalid JSONPath "${query}": ${(error as Error).message}`);
    }

    const text =
      matches.length === 0
        ? `No match for the JSONPath ${path}.`
        : matches.length === 1
          ? typeof matches[0] === 'string'
            ? matches[0]
            : JSON.stringify(matches[0])
          : JSON.stringify(matches);
    return [
      { type: 'json', json: { query: path, matches } },
      { type: 'text', text: truncateText(text, JSON_PROCESS_MAX_TEXT_CHARS) },
    ];
  };
}

/** Dify's json_process takes `data.title`; JSONPath wants `$.data.title`. Both are accepted. */
function normalizePath(query: string): string {
  const path = query.trim();
  if (path.startsWith('$')) return path;
  if (path.startsWith('[') || path.startsWith('..')) return `$${path}`;
  if (path.startsWith('.')) return `$${path}`;
  return `$.${path}`;
}

/**
 * jsonpath-plus reads `$.a[` as `$.a` rather than failing; a query with an unclosed bracket,
 * parenthesis or quote is rejected here so the model learns that it was malformed.
 */
function unbalanced(path: string): string | undefined {
  const open: string[] = [];
  const closing: Record<string, string> = { '[': ']', '(': ')' };
  let quote: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '[' || c === '(') open.push(c);
    else if (c === ']' || c === ')') {
      const last = open.pop();
      if (!last || closing[last] !== c) return `unexpected "${c}" at character ${i + 1}`;
    }
  }
  if (quote) return `unclosed ${quote}`;
  if (open.length) return `unclosed "${open[open.length - 1]}"`;
  return undefined;
}
