import { memoryMessages } from './memory-window';
import { promptVariables, renderPrompt } from './prompt-template';
import { countMessageTokens, countTokens } from './token-counter';
import { InputValidationError, userInputFormSchema, validateInputs } from './user-input-form';

describe('renderPrompt', () => {
  it('fills known variables and leaves unknown ones as written', () => {
    expect(renderPrompt('You are {{role}} for {{ company }} and {{missing}}.', { role: 'a guide', company: 'x' })).toBe(
      'You are a guide for {{ company }} and {{missing}}.',
    );
    expect(renderPrompt('{{n}} items', { n: 3 })).toBe('3 items');
    expect(promptVariables('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
  });
});

describe('validateInputs', () => {
  const form = userInputFormSchema.parse([
    { 'text-input': { label: 'Name', variable: 'name', required: true, max_length: 5 } },
    { select: { label: 'Tone', variable: 'tone', required: false, options: ['formal', 'casual'], default: 'casual' } },
    { number: { label: 'Count', variable: 'count', required: false } },
    { paragraph: { label: 'Notes', variable: 'notes' } },
  ]);

  it('returns declared inputs only, with defaults and numbers converted', () => {
    expect(validateInputs(form, { name: 'Ada', count: '4', extra: 'dropped' })).toEqual({
      name: 'Ada',
      tone: 'casual',
      count: 4,
    });
  });

  it.each([
    [{}, 'name', 'name is required in input form'],
    [{ name: 'toolong' }, 'name', 'name in input form must be less than 5 characters'],
    [{ name: 'Ada', tone: 'rude' }, 'tone', 'tone in input form must be one of the following: formal, casual'],
    [{ name: 'Ada', count: 'many' }, 'count', 'count in input form must be a valid number'],
    [{ name: 42 }, 'name', 'name in input form must be a string'],
  ])('rejects %j naming %s', (inputs, variable, message) => {
    let caught: unknown;
    try {
      validateInputs(form, inputs);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputValidationError);
    expect(caught).toMatchObject({ variable, message });
  });

  it('refuses a malformed form definition', () => {
    expect(userInputFormSchema.safeParse([{ 'text-input': { label: 'x', variable: '1bad' } }]).success).toBe(false);
    expect(userInputFormSchema.safeParse([{ unknown: { label: 'x', variable: 'ok' } }]).success).toBe(false);
  });
});

describe('memoryMessages', () => {
  const turns = Array.from({ length: 10 }, (_, i) => ({ query: `question ${i}`, answer: `answer number ${i}` }));

  it('keeps the newest whole turns within the budget, oldest first, as alternating messages', () => {
    const perTurn = countMessageTokens([
      { role: 'user', content: 'question 9' },
      { role: 'assistant', content: 'answer number 9' },
    ]);
    const messages = memoryMessages(turns, perTurn * 3);
    expect(messages.map((m) => m.content)).toEqual([
      'question 7',
      'answer number 7',
      'question 8',
      'answer number 8',
      'question 9',
      'answer number 9',
    ]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(memoryMessages(turns, perTurn - 1)).toEqual([]);
  });

  it('counts tokens with cl100k_base', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('')).toBe(0);
  });
});
