import { defineTool } from './define';
import { DefinitionError, ParameterError } from './errors';
import { validateArguments, type ToolArguments } from './parameters';

describe('tool parameters', () => {
  const declarations = [
    { name: 'query', type: 'string', required: true },
    { name: 'limit', type: 'number', default: 10, min: 1, max: 100 },
    { name: 'safe', type: 'boolean', default: true },
    { name: 'lang', type: 'select', options: [{ value: 'en' }, { value: 'de' }] },
    { name: 'api_key', type: 'secret-input', form: 'form' },
    { name: 'attachment', type: 'file' },
  ] as const;

  it('converts what models send as strings, applies defaults, drops undeclared arguments', () => {
    expect(
      validateArguments(declarations, { query: 'cats', limit: '25', safe: 'false', lang: 'de', extra: 1 }),
    ).toEqual({
      query: 'cats',
      limit: 25,
      safe: false,
      lang: 'de',
    });
    expect(validateArguments(declarations, { query: 42, limit: '', safe: null })).toEqual({
      query: '42',
      limit: 10,
      safe: true,
    });
  });

  it('keeps only the known fields of a file', () => {
    const args = validateArguments(declarations, {
      query: 'q',
      attachment: { url: 'https://files.test/a.png', mime_type: 'image/png', size: 3, secret: 'x' },
    });
    expect(args.attachment).toEqual({ url: 'https://files.test/a.png', mime_type: 'image/png', size: 3 });
  });

  it.each([
    [{ query: '' }, 'query', 'is required'],
    [{ query: 'q', limit: 0 }, 'limit', 'must be at least 1'],
    [{ query: 'q', limit: 'NaN' }, 'limit', 'must be a number'],
    [{ query: 'q', lang: 'fr' }, 'lang', 'must be one of "en", "de"'],
    [{ query: 'q', attachment: 'https://x' }, 'attachment', 'must be a file'],
    [{ query: 'q', api_key: ['k'] }, 'api_key', 'must be a string'],
  ])('rejects %j, naming %s', (raw, parameter, message) => {
    let thrown: unknown;
    try {
      validateArguments(declarations, raw);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ParameterError);
    expect((thrown as ParameterError).parameter).toBe(parameter);
    expect((thrown as ParameterError).message).toContain(message);
  });

  it('types the arguments from the declarations (checked by tsc)', () => {
    type Args = ToolArguments<typeof declarations>;
    const args: Args = { query: 'q', limit: 1, safe: true };
    const query: string = args.query;
    const limit: number = args.limit;
    const lang: 'en' | 'de' | undefined = args.lang;
    // @ts-expect-error a number parameter is not a string
    const wrong: string = args.limit;
    // @ts-expect-error a required parameter cannot be left out
    const missing: Args = { limit: 1, safe: true };
    defineTool({
      name: 'typed',
      parameters: [
        { name: 'n', type: 'number', required: true },
        { name: 'mode', type: 'select', options: [{ value: 'a' }, { value: 'b' }] },
      ],
      invoke(typed) {
        const n: number = typed.n;
        const mode: 'a' | 'b' | undefined = typed.mode;
        // @ts-expect-error an optional parameter may be undefined
        const sure: 'a' | 'b' = typed.mode;
        return String([n, mode, sure]);
      },
    });
    expect([query, limit, lang, wrong, missing]).toHaveLength(5);
  });

  it.each([
    [
      [
        { name: 'a', type: 'string' },
        { name: 'a', type: 'number' },
      ],
      'declared twice',
    ],
    [[{ name: 'a', type: 'text' }], 'has type "text"'],
    [[{ name: 'a', type: 'select' }], 'needs options'],
    [[{ name: 'a', type: 'number', default: 'ten' }], 'has a default that does not fit'],
    [[{ name: 'a', type: 'string', form: 'schema' }], 'has form "schema"'],
  ])('refuses bad declarations at definition: %j', (parameters, message) => {
    expect(() => defineTool({ name: 't', parameters: parameters as never, invoke: () => undefined })).toThrow(
      DefinitionError,
    );
    expect(() => defineTool({ name: 't', parameters: parameters as never, invoke: () => undefined })).toThrow(message);
  });
});
