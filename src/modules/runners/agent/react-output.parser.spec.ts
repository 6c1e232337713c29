import { parseReactOutput } from './react-output.parser';

describe('parseReactOutput', () => {
  it('reads a Thought and a fenced Action blob', () => {
    const text =
      'Thought: I should look it up.\nAction:\n```\n{"action": "get_weather", "action_input": {"city": "Paris"}}\n```';
    expect(parseReactOutput(text)).toEqual({
      kind: 'action',
      thought: 'I should look it up.',
      action: 'get_weather',
      input: { city: 'Paris' },
    });
  });

  it('reads a bare blob with prose around it, and braces inside strings', () => {
    const text = 'Thought: hm\nAction: sure, {"action":"echo","action_input":{"text":"a } b {"}} then I wait';
    expect(parseReactOutput(text)).toEqual({
      kind: 'action',
      thought: 'hm',
      action: 'echo',
      input: { text: 'a } b {' },
    });
  });

  it('takes an action_input given as JSON text', () => {
    const step = parseReactOutput('Action: {"action": "echo", "action_input": "{\\"text\\": \\"x\\"}"}');
    expect(step).toEqual({ kind: 'action', thought: '', action: 'echo', input: { text: 'x' } });
  });

  it('passes on an action_input that is plain text, for the call to report', () => {
    const step = parseReactOutput('Action: {"action": "echo", "action_input": "just words"}');
    expect(step).toEqual({ kind: 'action', thought: '', action: 'echo', input: 'just words' });
  });

  it('reads a Final Answer line', () => {
    expect(parseReactOutput('Thought: I know the answer.\nFinal Answer: It is 42.')).toEqual({
      kind: 'answer',
      thought: 'I know the answer.',
      answer: 'It is 42.',
    });
  });

  it('reads an action named "Final Answer"', () => {
    const text = 'Thought: done\nAction:\n```\n{"action": "Final Answer", "action_input": "Sunny."}\n```';
    expect(parseReactOutput(text)).toEqual({ kind: 'answer', thought: 'done', answer: 'Sunny.' });
  });

  it('the first of an Action and a Final Answer decides', () => {
    const step = parseReactOutput('Final Answer: no tools needed.\nAction: {"action": "x", "action_input": {}}');
    expect(step).toMatchObject({
      kind: 'answer',
      answer: 'no tools needed.\nAction: {"action": "x", "action_input": {}}',
    });
  });

  it('text without either is the answer', () => {
    expect(parseReactOutput('Hello there.')).toEqual({ kind: 'answer', thought: '', answer: 'Hello there.' });
  });

  it('an Action without a readable blob is taken as the answer, not a call', () => {
    expect(parseReactOutput('Thought: x\nAction: {"action": broken')).toEqual({
      kind: 'answer',
      thought: '',
      answer: 'x\nAction: {"action": broken',
    });
  });
});
