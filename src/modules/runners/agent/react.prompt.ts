import type { AgentTool } from './agent-tool';

/**
 * The instructions that teach a model without native tool calls to use tools in text: one action
 * per reply as a JSON blob, an `Observation:` written back by Keel, a `Final Answer:` at the end.
 */
export function reactInstructions(tools: AgentTool[]): string {
  const list = tools
    .map(
      (tool) =>
        `- ${tool.name}: ${tool.spec.description}\n  arguments (JSON Schema): ${JSON.stringify(tool.spec.parameters)}`,
    )
    .join('\n');
  return [
    'You can use the following tools to answer the user:',
    list,
    '',
    'To use a tool, reply with exactly this and then stop:',
    'Thought: what you will do next, and why',
    'Action:',
    '```',
    `{"action": "<one of: ${tools.map((tool) => tool.name).join(', ')}>", "action_input": {<the arguments as a JSON object>}}`,
    '```',
    'The tool\'s result comes back to you as "Observation: …"; never write an Observation yourself.',
    'Use one tool per reply. When you know the answer, reply with:',
    'Thought: I know the answer.',
    'Final Answer: <your answer to the user>',
  ].join('\n');
}

/** Where the model stops: the observation is Keel's to write. */
const REACT_STOP = 'Observation:';

/**
 * The stop sequences of a ReAct round: ReAct's own first, then the app's (OpenAI takes at most
 * four, and ReAct's must be among them).
 */
export function reactStop(stop: unknown): string[] {
  const own = Array.isArray(stop)
    ? stop.filter((s): s is string => typeof s === 'string')
    : typeof stop === 'string'
      ? [stop]
      : [];
  return [...new Set([REACT_STOP, ...own])].slice(0, 4);
}
