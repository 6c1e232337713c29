import { DefinitionError, ParameterError } from './errors';
import { isRecord, type I18nText, type PluginFile } from './protocol';

/** Dify's tool parameter types. */
export type ParameterType = 'string' | 'number' | 'boolean' | 'select' | 'secret-input' | 'file';

export const PARAMETER_TYPES: readonly ParameterType[] = [
  'string',
  'number',
  'boolean',
  'select',
  'secret-input',
  'file',
];

export interface ParameterOption {
  value: string;
  label?: I18nText | string;
}

/**
 * A tool parameter, with the fields of Dify's tool YAML. `form` says who fills it: `llm` (the
 * model, at call time; the default) or `form` (the app's configuration).
 */
export interface ParameterDeclaration {
  name: string;
  type: ParameterType;
  required?: boolean;
  form?: 'llm' | 'form';
  /** What the model reads about the parameter. */
  llm_description?: string;
  label?: I18nText | string;
  human_description?: I18nText | string;
  /** For `select`: the allowed values. */
  options?: readonly ParameterOption[];
  /** Used when the argument is absent (undefined, null or ""); it makes the argument always present. */
  default?: string | number | boolean;
  /** For `number`: inclusive bounds. */
  min?: number;
  max?: number;
}

type ValueOf<P> = P extends { type: 'number' }
  ? number
  : P extends { type: 'boolean' }
    ? boolean
    : P extends { type: 'file' }
      ? PluginFile
      : P extends { type: 'select'; options: readonly (infer O)[] }
        ? O extends { value: infer V extends string }
          ? V
          : string
        : string;

type AlwaysPresent<P> = P extends { required: true }
  ? true
  : P extends { default: string | number | boolean }
    ? true
    : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The typed arguments a tool receives for its parameter declarations: `string` and
 * `secret-input` give strings, `number` numbers, `boolean` booleans, `select` the union of its
 * option values, `file` a {@link PluginFile}. A parameter that is required or has a default is
 * always present; any other is optional.
 */
export type ToolArguments<Ps extends readonly ParameterDeclaration[]> = Simplify<
  {
    [P in Ps[number] as AlwaysPresent<P> extends true ? P['name'] : never]: ValueOf<P>;
  } & {
    [P in Ps[number] as AlwaysPresent<P> extends true ? never : P['name']]?: ValueOf<P>;
  }
>;

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function coerce(declaration: ParameterDeclaration, value: unknown): unknown {
  const name = declaration.name;
  switch (declaration.type) {
    case 'string':
    case 'secret-input':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new ParameterError(name, `parameter "${name}" must be a string`);
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
      if (!Number.isFinite(number)) throw new ParameterError(name, `parameter "${name}" must be a number`);
      if (declaration.min !== undefined && number < declaration.min) {
        throw new ParameterError(name, `parameter "${name}" must be at least ${declaration.min}`);
      }
      if (declaration.max !== undefined && number > declaration.max) {
        throw new ParameterError(name, `parameter "${name}" must be at most ${declaration.max}`);
      }
      return number;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1 || value === '1') return true;
      if (value === 'false' || value === 0 || value === '0') return false;
      throw new ParameterError(name, `parameter "${name}" must be true or false`);
    case 'select': {
      const text = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
      const allowed = (declaration.options ?? []).map((option) => option.value);
      if (text === undefined || !allowed.includes(text)) {
        throw new ParameterError(name, `parameter "${name}" must be one of ${allowed.map((v) => `"${v}"`).join(', ')}`);
      }
      return text;
    }
    case 'file': {
      if (!isRecord(value) || typeof value.url !== 'string' || !value.url) {
        throw new ParameterError(name, `parameter "${name}" must be a file: an object with a url`);
      }
      const file: PluginFile = { url: value.url };
      if (typeof value.filename === 'string') file.filename = value.filename;
      if (typeof value.mime_type === 'string') file.mime_type = value.mime_type;
      if (typeof value.size === 'number') file.size = value.size;
      if (typeof value.id === 'string') file.id = value.id;
      return file;
    }
  }
}

/**
 * Check and convert raw arguments (what the model or the app's form gave) against declarations.
 * Models send numbers and booleans as strings at times, so `"3"` is a number and `"true"` a
 * boolean; absent arguments take their default; arguments nobody declared are dropped. Throws a
 * {@link ParameterError} naming the first offending parameter.
 */
export function validateArguments<Ps extends readonly ParameterDeclaration[]>(
  declarations: Ps,
  raw: Record<string, unknown>,
): ToolArguments<Ps> {
  const args: Record<string, unknown> = {};
  for (const declaration of declarations) {
    const value = Object.prototype.hasOwnProperty.call(raw, declaration.name) ? raw[declaration.name] : undefined;
    if (isAbsent(value)) {
      if (declaration.default !== undefined) {
        args[declaration.name] = coerce(declaration, declaration.default);
      } else if (declaration.required) {
        throw new ParameterError(declaration.name, `parameter "${declaration.name}" is required`);
      }
      continue;
    }
    args[declaration.name] = coerce(declaration, value);
  }
  return args as ToolArguments<Ps>;
}

/** Check declarations when a tool is defined, so a mistake fails at start, not at the first call. */
export function checkDeclarations(owner: string, declarations: readonly ParameterDeclaration[]): void {
  const seen = new Set<string>();
  for (const declaration of declarations) {
    const where = `${owner}: parameter ${JSON.stringify(declaration?.name)}`;
    if (!isRecord(declaration) || typeof declaration.name !== 'string' || !declaration.name) {
      throw new DefinitionError(`${owner}: every parameter needs a name`);
    }
    if (seen.has(declaration.name)) throw new DefinitionError(`${where} is declared twice`);
    seen.add(declaration.name);
    if (!PARAMETER_TYPES.includes(declaration.type)) {
      throw new DefinitionError(
        `${where} has type ${JSON.stringify(declaration.type)}, not one of ${PARAMETER_TYPES.join(', ')}`,
      );
    }
    if (declaration.form !== undefined && declaration.form !== 'llm' && declaration.form !== 'form') {
      throw new DefinitionError(`${where} has form ${JSON.stringify(declaration.form)}, not llm or form`);
    }
    if (declaration.type === 'select') {
      const options = declaration.options;
      const valid = (option: unknown) => isRecord(option) && typeof option.value === 'string';
      if (!Array.isArray(options as unknown) || options!.length === 0 || !options!.every(valid)) {
        throw new DefinitionError(`${where} is a select and needs options with string values`);
      }
    }
    if (declaration.default !== undefined) {
      try {
        coerce(declaration, declaration.default);
      } catch (error) {
        throw new DefinitionError(`${where} has a default that does not fit: ${(error as Error).message}`);
      }
    }
  }
}

function i18n(text: I18nText | string | undefined): I18nText | undefined {
  if (text === undefined) return undefined;
  return typeof text === 'string' ? { en_US: text } : text;
}

/** A declaration as Dify's tool YAML writes it (labels as i18n objects, `form` filled in). */
export function describeParameter(declaration: ParameterDeclaration): Record<string, unknown> {
  const described: Record<string, unknown> = {
    name: declaration.name,
    type: declaration.type,
    required: declaration.required ?? false,
    form: declaration.form ?? 'llm',
    label: i18n(declaration.label) ?? { en_US: declaration.name },
  };
  if (declaration.human_description !== undefined) described.human_description = i18n(declaration.human_description);
  if (declaration.llm_description !== undefined) described.llm_description = declaration.llm_description;
  if (declaration.default !== undefined) described.default = declaration.default;
  if (declaration.min !== undefined) described.min = declaration.min;
  if (declaration.max !== undefined) described.max = declaration.max;
  if (declaration.options) {
    described.options = declaration.options.map((o) => ({
      value: o.value,
      label: i18n(o.label) ?? { en_US: o.value },
    }));
  }
  return described;
}

export { i18n as toI18nText };
