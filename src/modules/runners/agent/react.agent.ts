import type { ChatMessage } from '../../providers/model-provider';
import { textOf } from '../prompt.builder';
import { type AgentEvent, type AgentRun, LAST_ROUND_NOTE } from './agent-run';
import { newThought } from './agent-thought';
import { invokeAgentTool } from './agent-tool';
import { parseReactOutput } from './react-output.parser';
import { reactInstructions, reactStop } from './react.prompt';

/**
 * The `react` strategy, for models without native tool calls: the tools are described in the
 * system prompt, each round's text is read as a Thought and an Action (or the final answer), Keel
 * runs the action and writes the Observation into a scratchpad that follows the user's message.
 * Only the final answer is streamed as the answer; the steps go out as thoughts.
 */
export async function* runReactAgent(run: AgentRun): AsyncGenerator<AgentEvent> {
  const base = withInstructions(run.prompt, run.tools.length ? reactInstructions(run.tools) : '');
  let scratchpad = '';
  const stop = reactStop(run.params.stop);
  for (let round = 1; ; round++) {
    const last = round > run.maxIteration || run.tools.length === 0;
    const messages: ChatMessage[] = scratchpad ? [...base, { role: 'assistant', content: scratchpad }] : [...base];
    if (last && round > 1) messages.push({ role: 'user', content: LAST_ROUND_NOTE });
    let text = '';
    let reason = 'stop';
    const stream = run.provider.streamChat(run.credentials, {
      model: run.model,
      messages,
      params: { ...run.params, stop },
      signal: run.signal,
      onSent: round === 1 ? run.onSent : undefined,
    });
    for await (const event of stream) {
      if (event.type === 'delta') text += event.text;
      else if (event.type === 'usage') yield event;
      else if (event.type === 'finish') reason = event.reason;
    }
    const thought = newThought(round);
    const step = parseReactOutput(text);
    if (step.kind === 'answer' || last) {
      const answer = step.kind === 'answer' ? step.answer : text.trim();
      thought.thought = step.thought ? `${step.thought}\n${answer}` : answer;
      if (answer) yield { type: 'delta', text: answer };
      yield { type: 'thought', thought };
      yield { type: 'finish', reason };
      return;
    }
    thought.thought = step.thought;
    thought.tool = step.action;
    thought.toolInput = JSON.stringify({ [step.action]: step.input });
    thought.toolLabels = {
      [step.action]: run.tools.find((t) => t.name === step.action)?.label ?? { en_US: step.action },
    };
    yield { type: 'thought', thought: { ...thought } };
    const outcome = await invokeAgentTool(run.tools, step.action, step.input, run.toolContext);
    thought.observation = JSON.stringify({ [step.action]: outcome.text });
    thought.files.push(...outcome.files);
    yield { type: 'thought', thought: { ...thought } };
    scratchpad +=
      `Thought: ${step.thought}\nAction:\n\`\`\`\n${JSON.stringify({ action: step.action, action_input: step.input })}\n\`\`\`\n` +
      `Observation: ${outcome.text.replace(/\n/g, ' ')}\n`;
  }
}

/** The prompt with the ReAct instructions after the app's own system prompt. */
function withInstructions(prompt: ChatMessage[], instructions: string): ChatMessage[] {
  if (!instructions) return prompt;
  const [first, ...rest] = prompt;
  if (first?.role === 'system')
    return [{ role: 'system', content: `${textOf(first.content)}\n\n${instructions}` }, ...rest];
  return [{ role: 'system', content: instructions }, ...prompt];
}
