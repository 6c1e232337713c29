import type { ChatMessage, ToolCall } from '../../providers/model-provider';
import { type AgentEvent, type AgentRun, LAST_ROUND_NOTE } from './agent-run';
import { newThought } from './agent-thought';
import { invokeAgentTool } from './agent-tool';

/**
 * The `function_call` strategy: the provider's native tool calls. Each round streams the model's
 * text as the answer, then runs the tools it called (in order) and feeds their results back; a
 * round without tool calls ends the turn. After `maxIteration` rounds of calls the model gets one
 * more round without tools, told to answer.
 */
export async function* runFunctionCallAgent(run: AgentRun): AsyncGenerator<AgentEvent> {
  const messages: ChatMessage[] = [...run.prompt];
  const specs = run.tools.map((tool) => tool.spec);
  for (let round = 1; ; round++) {
    const last = round > run.maxIteration || specs.length === 0;
    if (last && round > 1) messages.push({ role: 'system', content: LAST_ROUND_NOTE });
    const thought = newThought(round);
    const calls: ToolCall[] = [];
    let text = '';
    let reason = 'stop';
    const stream = run.provider.streamChat(run.credentials, {
      model: run.model,
      messages,
      params: run.params,
      tools: last ? undefined : specs,
      signal: run.signal,
      onSent: round === 1 ? run.onSent : undefined,
    });
    for await (const event of stream) {
      if (event.type === 'delta') {
        text += event.text;
        yield event;
      } else if (event.type === 'tool_call') {
        calls.push(event.call);
      } else if (event.type === 'usage') {
        yield event;
      } else {
        reason = event.reason;
      }
    }
    thought.thought = text;
    if (calls.length === 0) {
      yield { type: 'thought', thought };
      yield { type: 'finish', reason: reason === 'tool_calls' ? 'stop' : reason };
      return;
    }
    const names = calls.map((call) => call.name);
    thought.tool = names.join(';');
    thought.toolInput = JSON.stringify(Object.fromEntries(calls.map((call) => [call.name, argumentsOf(call)])));
    thought.toolLabels = Object.fromEntries(
      names.map((name) => [name, run.tools.find((t) => t.name === name)?.label ?? { en_US: name }]),
    );
    yield { type: 'thought', thought: { ...thought } };

    messages.push({ role: 'assistant', content: text, tool_calls: calls });
    const observations: Record<string, string> = {};
    for (const call of calls) {
      const outcome = await invokeAgentTool(run.tools, call.name, call.arguments, run.toolContext);
      observations[call.name] = outcome.text;
      thought.files.push(...outcome.files);
      messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.text });
    }
    thought.observation = JSON.stringify(observations);
    yield { type: 'thought', thought: { ...thought } };
  }
}

/** The call's arguments as an object when they parse, else as the text the model sent. */
function argumentsOf(call: ToolCall): unknown {
  try {
    return call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    return call.arguments;
  }
}
