import { z } from 'zod';
import { InvalidParamException } from '../../common/errors/common.exceptions';

const base = {
  label: z.string().max(200),
  variable: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,29}$/, {
    error: 'must start with a letter or underscore and have at most 30 word characters',
  }),
  required: z.boolean().default(false),
  default: z.unknown().optional(),
};

const textField = z.object({ ...base, max_length: z.number().int().min(1).max(1_000_000).optional() });
const selectField = z.object({ ...base, options: z.array(z.string()).min(1) });

/** One entry of an app's `user_input_form`: a one-key object naming the field's type. */
export const userInputFormItemSchema = z.union([
  z.object({ 'text-input': textField }).strict(),
  z.object({ paragraph: textField }).strict(),
  z.object({ select: selectField }).strict(),
  z.object({ number: z.object(base) }).strict(),
]);

export type UserInputFormItem = z.infer<typeof userInputFormItemSchema>;
export const userInputFormSchema = z.array(userInputFormItemSchema).max(100);

type Field =
  | { kind: 'text-input' | 'paragraph'; spec: z.infer<typeof textField> }
  | { kind: 'select'; spec: z.infer<typeof selectField> }
  | { kind: 'number'; spec: z.infer<ReturnType<typeof z.object<typeof base>>> };

function fieldOf(item: UserInputFormItem): Field {
  if ('text-input' in item) return { kind: 'text-input', spec: item['text-input'] };
  if ('paragraph' in item) return { kind: 'paragraph', spec: item.paragraph };
  if ('select' in item) return { kind: 'select', spec: item.select };
  return { kind: 'number', spec: item.number };
}

/** An input that breaks the app's form; the message names the variable, as Dify's does. */
export class InputValidationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputValidationError';
  }
}

/**
 * Checks `inputs` against the form and returns what the prompt may use: declared variables only
 * (defaults filled, numbers as numbers); undeclared inputs are dropped, never passed to the model.
 */
export function validateInputs(form: UserInputFormItem[], inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of form) {
    const { kind, spec } = fieldOf(item);
    const name = spec.variable;
    let value = inputs[name];
    if (value === undefined || value === null || value === '') value = spec.default;
    if (value === undefined || value === null || value === '') {
      if (spec.required) throw new InputValidationError(name, `${name} is required in input form`);
      continue;
    }
    switch (kind) {
      case 'text-input':
      case 'paragraph': {
        if (typeof value !== 'string') throw new InputValidationError(name, `${name} in input form must be a string`);
        const max = spec.max_length;
        if (max !== undefined && value.length > max) {
          throw new InputValidationError(name, `${name} in input form must be less than ${max} characters`);
        }
        out[name] = value;
        break;
      }
      case 'select': {
        const options = spec.options;
        if (typeof value !== 'string' || !options.includes(value)) {
          throw new InputValidationError(
            name,
            `${name} in input form must be one of the following: ${options.join(', ')}`,
          );
        }
        out[name] = value;
        break;
      }
      case 'number': {
        const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
        if (!Number.isFinite(number) || (typeof value === 'string' && value.trim() === '')) {
          throw new InputValidationError(name, `${name} in input form must be a valid number`);
        }
        out[name] = number;
        break;
      }
    }
  }
  return out;
}

/** `validateInputs` for an API request: a bad input is 400 `invalid_param` naming the variable. */
export function checkedInputs(form: UserInputFormItem[], inputs: Record<string, unknown> | null | undefined) {
  try {
    return validateInputs(form, inputs ?? {});
  } catch (error) {
    if (error instanceof InputValidationError) throw new InvalidParamException(error.variable, error.message);
    throw error;
  }
}
