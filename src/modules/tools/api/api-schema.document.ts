import { errorMessage } from '../../../common/errors/error-message';
import { parseDocument } from 'yaml';
import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import type { JsonObject } from './api-tool-bundle';
import { findJsonSyntaxError, lineAndColumn } from './json-syntax';
import { formatLocation, isObject } from './schema-location';

/** How much of a schema Keel is willing to read. */
export interface ApiSchemaLimits {
  /** The schema text, in UTF-8 bytes (the document an OpenAI-plugin manifest points to as well). */
  maxSchemaBytes: number;
  /** Operations (path × method), each one tool. Dify refuses a provider of more than 100. */
  maxOperations: number;
  /** How deep objects and lists may nest. */
  maxDepth: number;
  /** Values in the parsed document, and values copied into the bundles once `$ref`s are followed. */
  maxNodes: number;
}

export const DEFAULT_API_SCHEMA_LIMITS: Readonly<ApiSchemaLimits> = Object.freeze({
  maxSchemaBytes: 1024 * 1024,
  maxOperations: 100,
  maxDepth: 128,
  maxNodes: 500_000,
});

/** YAML aliases a document may use: the `yaml` package's own guard against "billion laughs". */
const MAX_YAML_ALIASES = 100;

export interface LoadedSchemaDocument {
  document: JsonObject;
  /**
   * Set when the text looks like JSON but only YAML could read it (a trailing comma, say): if the
   * document then turns out unusable, this syntax error is the better explanation.
   */
  jsonError?: ApiSchemaException;
}

/**
 * Schema text → a plain JSON object, as Dify reads it: JSON first, then YAML. Refuses text over the
 * size cap before parsing it; a syntax error names its line and column; then walks the whole
 * document once to refuse anything nested too deep (a YAML alias that contains itself included)
 * and every `$ref` that is not local — external files and URLs are never fetched.
 */
export function loadSchemaDocument(text: string, limits: ApiSchemaLimits): LoadedSchemaDocument {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxSchemaBytes) {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.TooLarge,
      `the schema is ${bytes} bytes; at most ${limits.maxSchemaBytes} bytes are accepted`,
    );
  }
  const source = text.replace(/^\uFEFF/, '');
  if (!source.trim()) throw new ApiSchemaException(ApiSchemaErrorKind.Syntax, 'the schema is empty');
  const looksLikeJson = /^\s*[{[]/.test(source);

  let jsonError: ApiSchemaException | undefined;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    jsonError = jsonSyntaxError(error, source);
    // YAML is nearly a superset of JSON and reads plenty that JSON does not, as Dify's fallback does.
    const yaml = parseYaml(source);
    if (yaml.error) throw looksLikeJson ? jsonError : yaml.error;
    value = yaml.value;
  }

  if (!isObject(value)) {
    if (looksLikeJson && jsonError) throw jsonError;
    throw new ApiSchemaException(
      ApiSchemaErrorKind.NotAnApiSchema,
      `the schema must be a JSON object or a YAML mapping, not ${describe(value)}`,
    );
  }
  scanDocument(value, limits);
  return { document: value, jsonError: looksLikeJson ? jsonError : undefined };
}

function parseYaml(source: string): { value?: unknown; error?: ApiSchemaException } {
  // The YAML 1.2 core schema (no custom tags, no timestamps); duplicate keys keep the last, as
  // PyYAML's safe_load does for Dify.
  const document = parseDocument(source, { uniqueKeys: false });
  const first = document.errors[0];
  if (first) {
    const position = first.linePos?.[0];
    const where = position ? ` at line ${position.line}, column ${position.col}` : '';
    return {
      error: new ApiSchemaException(ApiSchemaErrorKind.Syntax, `not valid YAML: ${firstLine(first.message)}${where}`, {
        line: position?.line,
        column: position?.col,
      }),
    };
  }
  try {
    return { value: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (error) {
    return {
      error: new ApiSchemaException(
        ApiSchemaErrorKind.TooComplex,
        `the YAML expands too much through its aliases (${errorMessage(error)})`,
      ),
    };
  }
}

function jsonSyntaxError(error: unknown, source: string): ApiSchemaException {
  const found = findJsonSyntaxError(source);
  if (!found) {
    // The checker and V8 disagree (they should not): V8's own words, without a position.
    const raw = errorMessage(error);
    return new ApiSchemaException(ApiSchemaErrorKind.Syntax, `not valid JSON: ${raw}`);
  }
  const { line, column } = lineAndColumn(source, found.offset);
  return new ApiSchemaException(
    ApiSchemaErrorKind.Syntax,
    `not valid JSON: ${found.message} at line ${line}, column ${column}`,
    { line, column },
  );
}

interface Frame {
  value: unknown;
  depth: number;
  key?: string | number;
  parent?: Frame;
}

/** One pass over the document: nesting depth, size, and every `$ref`. */
function scanDocument(root: JsonObject, limits: ApiSchemaLimits): void {
  const stack: Frame[] = [{ value: root, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (++nodes > limits.maxNodes) {
      throw new ApiSchemaException(
        ApiSchemaErrorKind.TooComplex,
        `the schema holds more than ${limits.maxNodes} values; split it into several providers`,
      );
    }
    const { value } = frame;
    if (typeof value !== 'object' || value === null) continue;
    if (frame.depth >= limits.maxDepth) {
      const path = locationOf(frame);
      throw new ApiSchemaException(
        ApiSchemaErrorKind.TooComplex,
        `the schema nests deeper than ${limits.maxDepth} levels at ${path} (or a YAML alias contains itself)`,
        { path },
      );
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, depth: frame.depth + 1, key: index, parent: frame }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = (value as JsonObject)[key];
      if (key === '$ref') checkRef(child, frame);
      stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
    }
  }
}

function checkRef(ref: unknown, holder: Frame): void {
  if (typeof ref !== 'string') {
    const path = locationOf(holder);
    throw new ApiSchemaException(ApiSchemaErrorKind.BadRef, `$ref at ${path} must be a string`, { path });
  }
  if (!ref.startsWith('#')) {
    const path = locationOf(holder);
    throw new ApiSchemaException(
      ApiSchemaErrorKind.ExternalRef,
      `$ref ${JSON.stringify(ref)} at ${path} points outside the document; only local references (#/…) are ` +
        'supported, and other files or URLs are never fetched',
      { path },
    );
  }
}

function locationOf(frame: Frame): string {
  const segments: Array<string | number> = [];
  for (let at: Frame | undefined = frame; at?.parent; at = at.parent) segments.unshift(at.key!);
  return formatLocation(segments);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a plain string';
  return `a ${typeof value}`;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
