import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ToolError, type Tool, type ToolParameter } from '../tool.types';
import {
  providerDefinitionSchema,
  toolDefinitionSchema,
  type ProviderDefinition,
  type ToolDefinition,
  type ToolParameterDefinition,
} from './builtin-definition.schema';
import type {
  BuiltinCredentialField,
  BuiltinProviderSource,
  BuiltinToolDeps,
  BuiltinToolImplementation,
  BuiltinToolProvider,
} from './builtin-tool-provider';

/** A shipped definition file that does not hold: a boot error naming the file and the field. */
export class BuiltinDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuiltinDefinitionError';
  }
}

export function parseProviderDefinition(file: string, text: string): ProviderDefinition {
  return parseDefinition(file, text, providerDefinitionSchema);
}

export function parseToolDefinition(file: string, text: string): ToolDefinition {
  return parseDefinition(file, text, toolDefinitionSchema);
}

/** Validates a provider's YAML files and binds each tool definition to its code. */
export function loadBuiltinProvider(source: BuiltinProviderSource, deps: BuiltinToolDeps): BuiltinToolProvider {
  const definition = parseProviderDefinition(source.file, source.yaml);
  const { identity } = definition;
  if (identity.icon !== source.icon.file) {
    throw new BuiltinDefinitionError(
      `${source.file}: identity.icon: names "${identity.icon}", but the icon shipped is "${source.icon.file}"`,
    );
  }
  if (!/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(source.icon.svg)) {
    throw new BuiltinDefinitionError(`${source.file}: identity.icon: ${source.icon.file} is not an SVG document`);
  }
  const names = new Set<string>();
  const tools = source.tools.map((entry) => {
    const tool = parseToolDefinition(entry.file, entry.yaml);
    if (tool.identity.name !== entry.name) {
      throw new BuiltinDefinitionError(
        `${entry.file}: identity.name: "${tool.identity.name}" does not match the tool it is bound to ("${entry.name}")`,
      );
    }
    if (names.has(entry.name)) {
      throw new BuiltinDefinitionError(
        `${entry.file}: identity.name: "${entry.name}" is defined twice in ${source.file}`,
      );
    }
    names.add(entry.name);
    return bindTool(tool, entry.implement(deps));
  });
  const credentialsSchema: BuiltinCredentialField[] = Object.entries(definition.credentials_for_provider ?? {}).map(
    ([name, field]) => ({ name, ...field }),
  );
  return {
    name: identity.name,
    identity,
    icon: { fileName: source.icon.file, mimeType: 'image/svg+xml', content: source.icon.svg },
    credentialsSchema,
    tools,
  };
}

/**
 * A `Tool` from a definition and its code. Before the code runs, the arguments are completed with
 * the YAML defaults, required parameters are checked and select/number/boolean values are
 * validated and converted, so every tool reports a missing or wrong argument the same way.
 */
export function bindTool(definition: ToolDefinition, implementation: BuiltinToolImplementation): Tool {
  const name = definition.identity.name;
  const parameters: ToolParameter[] = definition.parameters.map((p) => ({
    name: p.name,
    type: p.type,
    required: p.required,
    label: p.label,
    ...(p.human_description && { human_description: p.human_description }),
    ...(p.llm_description && { llm_description: p.llm_description }),
    form: p.form,
    ...(p.default !== undefined && { default: p.default }),
    ...(p.options && { options: p.options }),
  }));
  return {
    name,
    label: definition.identity.label,
    description: { human: definition.description.human, llm: definition.description.llm },
    parameters,
    invoke: async (params, context) => implementation(prepareArguments(name, definition.parameters, params), context),
  };
}

function prepareArguments(
  tool: string,
  definitions: ToolParameterDefinition[],
  params: Record<string, unknown>,
): Record<string, unknown> {
  const prepared: Record<string, unknown> = { ...params };
  for (const definition of definitions) {
    let value = prepared[definition.name];
    if (value === undefined || value === null || value === '') value = definition.default;
    if (value === undefined) {
      if (definition.required) throw new ToolError(`${tool}: the parameter "${definition.name}" is required`);
      delete prepared[definition.name];
      continue;
    }
    prepared[definition.name] = convert(tool, definition, value);
  }
  return prepared;
}

function convert(tool: string, definition: ToolParameterDefinition, value: unknown): unknown {
  const wrong = (expected: string) =>
    new ToolError(
      `${tool}: the parameter "${definition.name}" must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  switch (definition.type) {
    case 'number': {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(number)) throw wrong('a number');
      if (definition.min !== undefined && number < definition.min) throw wrong(`at least ${definition.min}`);
      if (definition.max !== undefined && number > definition.max) throw wrong(`at most ${definition.max}`);
      return number;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const text = String(value).trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw wrong('true or false');
    }
    case 'select': {
      const options = definition.options ?? [];
      const text = String(value as string | number | boolean);
      const match =
        options.find((o) => o.value === text) ?? options.find((o) => o.value.toLowerCase() === text.toLowerCase());
      if (!match) throw wrong(`one of ${options.map((o) => o.value).join(', ')}`);
      return match.value;
    }
    case 'string':
    case 'secret-input':
      // A model sometimes passes a JSON value where the schema says string (a JSON document to process).
      return typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value as number | boolean);
    case 'file':
      return value;
  }
}

function parseDefinition<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  let document: unknown;
  try {
    document = parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    throw new BuiltinDefinitionError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${fieldName(document, issue.path)}: ${issue.message}`);
  throw new BuiltinDefinitionError(`${file}: ${problems.join('; ')}`);
}

/** `parameters[1] (timezone).form`: the path of a field, with a listed parameter's name to find it by. */
function fieldName(document: unknown, path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  let name = '';
  let node = document;
  for (const key of path) {
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      const listed = node !== null && typeof node === 'object' ? (node as { name?: unknown }).name : undefined;
      name += typeof listed === 'string' ? `[${key}] (${listed})` : `[${key}]`;
    } else {
      name += `${name ? '.' : ''}${String(key)}`;
    }
  }
  return name;
}
