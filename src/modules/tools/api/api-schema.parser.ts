import { errorMessage } from '../../../common/errors/error-message';
import { ApiException } from '../../../common/errors/api.exception';
import type { ToolParameter, ToolParameterType } from '../tool.types';
import { DEFAULT_API_SCHEMA_LIMITS, loadSchemaDocument, type ApiSchemaLimits } from './api-schema.document';
import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import {
  OPENAPI_METHODS,
  type ApiSchemaType,
  type ApiToolBundle,
  type BundleOperation,
  type BundleParameter,
  type JsonObject,
  type OpenApiMethod,
  type ParameterLocation,
} from './api-tool-bundle';
import { LocalRefs } from './local-refs';
import { formatLocation, isObject, own, ownString } from './schema-location';
import { swaggerToOpenApi } from './swagger2.converter';

/**
 * Fetches the OpenAPI document an OpenAI-plugin manifest points to (`api.url`). The caller
 * supplies it so that the request goes through the SSRF guard (`fetchSchemaTextThrough`); nothing
 * else in a schema is ever fetched.
 */
export type FetchSchemaText = (url: string) => Promise<string>;

export interface ApiSchemaParseOptions {
  fetchText?: FetchSchemaText;
  limits?: Partial<ApiSchemaLimits>;
}

export interface ParsedApiSchema {
  schema_type: ApiSchemaType;
  /** One per operation (path × method), in the document's order. */
  bundles: ApiToolBundle[];
  /** Dify's `warning`: things that parse but may not work as meant, e.g. `duplicated_parameter`. */
  warnings: Record<string, string>;
  /** `info.description`, which Dify keeps as the provider's description. */
  description: string;
}

const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];

/** Roughly how many JSON values one `ToolParameter` is, for the expansion budget. */
const VALUES_PER_TOOL_PARAMETER = 10;

/**
 * A custom API tool schema (text) → one `ApiToolBundle` per operation, as Dify's
 * `ApiBasedToolSchemaParser` does: JSON or YAML; an OpenAPI 3 document, a Swagger 2.0 document
 * (converted), or an OpenAI-plugin manifest whose `api.url` is fetched through `fetchText`.
 *
 * Parsing never contacts the API's own servers: any server URL is fine here, the SSRF guard judges
 * it when a tool runs. Only local `$ref`s are followed. A schema Keel cannot use throws
 * `ApiSchemaException` saying what is wrong and where.
 *
 * Where Keel differs from Dify, it reads more, not less: path-item `parameters` apply to each
 * operation of the path, server variables take their defaults, a `$ref`'d request body or
 * parameter and `allOf` bodies are followed, Swagger `in: body`/`formData` become a request body,
 * and a path parameter is always required. It also refuses two operations with one `operationId`
 * (Dify keeps both, and only one can ever be called).
 */
export async function parseApiSchema(text: string, options: ApiSchemaParseOptions = {}): Promise<ParsedApiSchema> {
  const limits: ApiSchemaLimits = { ...DEFAULT_API_SCHEMA_LIMITS, ...options.limits };
  const { document, jsonError } = loadSchemaDocument(text, limits);
  const warnings: Record<string, string> = {};
  try {
    const kind = detectKind(document);
    if (kind === 'openai_plugin') {
      const { bundles, description } = await fromPluginManifest(document, options, limits, warnings);
      return { schema_type: kind, bundles, warnings, description };
    }
    const { bundles, description } = fromApiDocument(document, kind, limits, warnings);
    return { schema_type: kind, bundles, warnings, description };
  } catch (error) {
    // JSON that only YAML could read, and that then makes no sense: the JSON mistake is the news.
    if (jsonError && error instanceof ApiSchemaException) throw jsonError;
    throw error;
  }
}

function detectKind(document: JsonObject): ApiSchemaType {
  const openapi = own(document, 'openapi');
  if (openapi !== undefined) {
    if ((typeof openapi === 'string' || typeof openapi === 'number') && String(openapi).startsWith('3'))
      return 'openapi';
    throw new ApiSchemaException(
      ApiSchemaErrorKind.NotAnApiSchema,
      `openapi: ${JSON.stringify(openapi)} is not a version Keel reads (OpenAPI 3.x or Swagger 2.0)`,
      { path: 'openapi' },
    );
  }
  const swagger = own(document, 'swagger');
  if (swagger !== undefined) {
    if (swagger === '2.0' || swagger === 2 || swagger === '2') return 'swagger';
    throw new ApiSchemaException(
      ApiSchemaErrorKind.NotAnApiSchema,
      `swagger: ${JSON.stringify(swagger)} is not a version Keel reads (Swagger 2.0 or OpenAPI 3.x)`,
      { path: 'swagger' },
    );
  }
  if (isObject(own(document, 'api'))) return 'openai_plugin';
  // Dify reads a document without a version field as OpenAPI when it has the parts.
  if (own(document, 'paths') !== undefined) return 'openapi';
  throw new ApiSchemaException(
    ApiSchemaErrorKind.NotAnApiSchema,
    'not an API schema: expected an OpenAPI 3 document (openapi: 3.x, servers, paths), a Swagger 2.0 document ' +
      '(swagger: "2.0") or an OpenAI plugin manifest (api: {type: openapi, url})',
  );
}

function fromApiDocument(
  document: JsonObject,
  kind: 'openapi' | 'swagger',
  limits: ApiSchemaLimits,
  warnings: Record<string, string>,
  baseUrl?: string,
): { bundles: ApiToolBundle[]; description: string } {
  let openapi = document;
  if (kind === 'swagger') openapi = swaggerToOpenApi(document, new LocalRefs(document, limits.maxNodes * 2), warnings);
  return openApiToBundles(openapi, limits, warnings, baseUrl);
}

async function fromPluginManifest(
  manifest: JsonObject,
  options: ApiSchemaParseOptions,
  limits: ApiSchemaLimits,
  warnings: Record<string, string>,
): Promise<{ bundles: ApiToolBundle[]; description: string }> {
  const api = own(manifest, 'api') as JsonObject;
  const type = own(api, 'type');
  if (type !== 'openapi') {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.Unsupported,
      `Only openapi is supported now: the OpenAI plugin manifest's api.type is ${JSON.stringify(type ?? null)}`,
      { path: 'api.type' },
    );
  }
  const url = ownString(api, 'url');
  if (!url || !/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.Invalid,
      `the OpenAI plugin manifest's api.url must be an http(s) URL, not ${JSON.stringify(url ?? null)}`,
      { path: 'api.url' },
    );
  }
  if (!options.fetchText) {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.Unsupported,
      'an OpenAI plugin manifest needs its OpenAPI document fetched from api.url, which is not possible here',
      { path: 'api.url' },
    );
  }
  let text: string;
  try {
    text = await options.fetchText(url);
  } catch (error) {
    if (error instanceof ApiException) throw error; // the guard's own verdict (ssrf_blocked, …), or ours
    throw new ApiSchemaException(
      ApiSchemaErrorKind.FetchFailed,
      `cannot get the OpenAPI document from ${url}: ${errorMessage(error)}`,
      { path: 'api.url' },
    );
  }
  const { document } = loadSchemaDocument(text, limits);
  const kind = detectKind(document);
  if (kind === 'openai_plugin') {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.NotAnApiSchema,
      `the document at ${url} is another plugin manifest, not an OpenAPI document`,
      { path: 'api.url' },
    );
  }
  return fromApiDocument(document, kind, limits, warnings, url);
}

function openApiToBundles(
  document: JsonObject,
  limits: ApiSchemaLimits,
  warnings: Record<string, string>,
  baseUrl?: string,
): { bundles: ApiToolBundle[]; description: string } {
  // What the bundles hold may not outgrow the document's own size cap by much, however many
  // operations share one large schema.
  const refs = new LocalRefs(document, limits.maxNodes);
  const info = own(document, 'info');
  const description = (isObject(info) && ownString(info, 'description')) || '';
  const serverUrl = firstServerUrl(document, baseUrl);

  const paths = own(document, 'paths');
  if (!isObject(paths)) {
    throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, 'No paths found in the openapi schema.', {
      path: 'paths',
    });
  }
  const operations: Array<{ path: string; method: OpenApiMethod; operation: JsonObject; shared: unknown }> = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    if (path.startsWith('x-')) continue;
    const item = refs.resolveObject(rawItem, formatLocation(['paths', path]), 'A path item');
    for (const method of OPENAPI_METHODS) {
      const operation = own(item, method);
      if (operation === undefined) continue;
      const where = formatLocation(['paths', path, method]);
      if (!isObject(operation)) {
        throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `the operation at ${where} must be an object`, {
          path: where,
        });
      }
      operations.push({ path, method, operation, shared: own(item, 'parameters') });
    }
  }
  if (operations.length > limits.maxOperations) {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.TooComplex,
      `the schema has ${operations.length} operations; at most ${limits.maxOperations} are accepted`,
      { path: 'paths' },
    );
  }

  const seen = new Map<string, string>();
  const bundles: ApiToolBundle[] = [];
  for (const { path, method, operation, shared } of operations) {
    const where = formatLocation(['paths', path, method]);
    const parameters = mergeParameters(shared, own(operation, 'parameters'), path, where, refs);
    const body = requestBody(operation, where, refs, warnings, `${method.toUpperCase()} ${path}`);
    const toolParameters = [...parameters.map(parameterToTool), ...body.parameters];
    refs.charge(toolParameters.length * VALUES_PER_TOOL_PARAMETER);

    const counts = new Map<string, number>();
    for (const { name } of toolParameters) counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const [name, count] of counts) {
      if (count > 1) warnings.duplicated_parameter = `Parameter ${name} is duplicated.`;
    }

    const declaredId = own(operation, 'operationId');
    if (declaredId !== undefined && (typeof declaredId !== 'string' || declaredId === '')) {
      throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `operationId at ${where} must be a non-empty string`, {
        path: `${where}.operationId`,
      });
    }
    const operationId = declaredId ?? derivedOperationId(path, method);
    const label = `${method.toUpperCase()} ${path}`;
    const other = seen.get(operationId);
    if (other) {
      throw new ApiSchemaException(
        ApiSchemaErrorKind.DuplicateOperation,
        `operationId ${JSON.stringify(operationId)} is used by both ${other} and ${label}; each operation needs its own`,
        { path: `${where}.operationId` },
      );
    }
    seen.set(operationId, label);

    const stored = copyExcept(operation, ['parameters', 'requestBody'], refs) as BundleOperation;
    stored.operationId = operationId;
    stored.parameters = parameters;
    if (body.stored) stored.requestBody = body.stored;

    const describedAs = ownString(operation, 'description');
    const summary = ownString(operation, 'summary');
    bundles.push({
      server_url: joinUrl(serverUrl, path),
      method,
      summary: describedAs || summary || null,
      operation_id: operationId,
      parameters: toolParameters,
      author: '',
      icon: null,
      openapi: stored,
    });
  }
  return { bundles, description };
}

function firstServerUrl(document: JsonObject, baseUrl?: string): string {
  const servers = own(document, 'servers');
  const server: unknown = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(server)) {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.Invalid,
      'No server found in the openapi schema: servers must list at least one {url}.',
      { path: 'servers' },
    );
  }
  const url = ownString(server, 'url');
  if (!url) {
    throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, 'servers[0] has no url', { path: 'servers[0].url' });
  }
  const variables = own(server, 'variables');
  let resolved = url.replace(/\{([^{}]+)\}/g, (match, name: string) => {
    const variable = isObject(variables) ? own(variables, name) : undefined;
    const fallback = isObject(variable) ? own(variable, 'default') : undefined;
    return typeof fallback === 'string' || typeof fallback === 'number' ? String(fallback) : match;
  });
  // A relative server ("/v1") is relative to where the document came from, when that is known.
  if (baseUrl && !/^[a-z][a-z\d+.-]*:/i.test(resolved) && URL.canParse(resolved, baseUrl)) {
    resolved = new URL(resolved, baseUrl).href;
  }
  return resolved;
}

function joinUrl(server: string, path: string): string {
  return server.endsWith('/') && path.startsWith('/') ? server.slice(0, -1) + path : server + path;
}

/** Dify's rule: the path without its leading `/` and anything outside `[A-Za-z0-9_-]`, then `_<method>`. */
export function derivedOperationId(path: string, method: string): string {
  const stripped = (path.startsWith('/') ? path.slice(1) : path).replace(/[^a-zA-Z0-9_-]/g, '');
  return `${stripped || '<root>'}_${method}`;
}

/** The path item's parameters, overridden by the operation's of the same name and `in`, resolved. */
function mergeParameters(
  shared: unknown,
  declared: unknown,
  path: string,
  where: string,
  refs: LocalRefs,
): BundleParameter[] {
  const merged = new Map<string, BundleParameter>();
  const lists: Array<[unknown, string]> = [
    [shared, formatLocation(['paths', path, 'parameters'])],
    [declared, `${where}.parameters`],
  ];
  for (const [list, listWhere] of lists) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `parameters at ${listWhere} must be a list`, {
        path: listWhere,
      });
    }
    list.forEach((raw, index) => {
      const at = `${listWhere}[${index}]`;
      const parameter = refs.resolveObject(raw, at, 'A parameter');
      const name = ownString(parameter, 'name');
      if (!name)
        throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `the parameter at ${at} has no name`, { path: at });
      const location = ownString(parameter, 'in');
      if (!LOCATIONS.includes(location as ParameterLocation)) {
        throw new ApiSchemaException(
          ApiSchemaErrorKind.Invalid,
          `the parameter ${JSON.stringify(name)} at ${at} has in: ${JSON.stringify(location ?? null)}; ` +
            'expected path, query, header or cookie',
          { path: `${at}.in` },
        );
      }
      const stored = refs.copy(parameter) as BundleParameter;
      const content = own(parameter, 'content');
      const firstMedia = isObject(content) ? Object.values(content)[0] : undefined;
      const rawSchema = own(parameter, 'schema') ?? (isObject(firstMedia) ? own(firstMedia, 'schema') : undefined);
      if (rawSchema !== undefined) {
        const schema = refs.resolve(rawSchema, `${at}.schema`);
        if (isObject(schema)) {
          stored.schema = refs.copy(schema);
          const type = schemaType(schema, refs, `${at}.schema`);
          if (type && stored.schema.type === undefined) stored.schema.type = type;
        } else {
          delete stored.schema;
        }
      }
      if (location === 'path') stored.required = true;
      merged.set(`${location}:${name}`, stored);
    });
  }
  return [...merged.values()];
}

function parameterToTool(parameter: BundleParameter): ToolParameter {
  const description = ownString(parameter, 'description');
  const type = toolType(primaryType(parameter.schema ?? parameter), parameter.schema);
  const tool: ToolParameter = {
    name: parameter.name,
    label: { en_US: parameter.name, zh_Hans: parameter.name },
    human_description: { en_US: description ?? '', zh_Hans: description ?? '' },
    type,
    required: parameter.required === true,
    form: 'llm',
  };
  if (description !== undefined) tool.llm_description = description;
  const fallback = plainDefault(parameter.schema ? own(parameter.schema, 'default') : own(parameter, 'default'));
  if (fallback !== undefined) tool.default = fallback;
  return tool;
}

/**
 * The operation's request body: the first media type in `content` (the one the tool sends), its
 * schema resolved and flattened; each top-level property becomes a tool parameter.
 */
function requestBody(
  operation: JsonObject,
  where: string,
  refs: LocalRefs,
  warnings: Record<string, string>,
  label: string,
): { stored?: BundleOperation['requestBody']; parameters: ToolParameter[] } {
  const raw = own(operation, 'requestBody');
  if (raw === undefined) return { parameters: [] };
  const at = `${where}.requestBody`;
  const body = refs.resolveObject(raw, at, 'A request body');
  const content = own(body, 'content');
  const first = isObject(content) ? Object.entries(content)[0] : undefined;
  if (!first) return { parameters: [] };
  const [mediaType, media] = first;
  const mediaAt = `${at}.content[${JSON.stringify(mediaType)}]`;
  if (!isObject(media)) {
    throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `${mediaAt} must be an object`, { path: mediaAt });
  }

  // Only the media type the tool sends is kept; its schema is stored flattened.
  const rawSchema = own(media, 'schema');
  const schema = rawSchema === undefined ? undefined : flattenSchema(rawSchema, `${mediaAt}.schema`, refs, 0);
  const storedMedia = copyExcept(media, 'schema', refs);
  if (schema) storedMedia.schema = schema;
  const stored = copyExcept(body, 'content', refs) as NonNullable<BundleOperation['requestBody']>;
  stored.content = { [mediaType]: storedMedia };

  const properties = schema && isObject(schema.properties) ? schema.properties : {};
  const required = schema && Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  if (schema && Object.keys(properties).length === 0 && schema.type !== undefined && schema.type !== 'object') {
    warnings.unsupported_request_body = `The request body of ${label} is not an object with properties; the tool cannot fill it in.`;
  }
  const parameters = Object.entries(properties).map(([name, property]): ToolParameter => {
    const prop = isObject(property) ? property : {};
    const description = ownString(prop, 'description') ?? '';
    const tool: ToolParameter = {
      name,
      label: { en_US: name, zh_Hans: name },
      human_description: { en_US: description, zh_Hans: description },
      type: toolType(primaryType(prop), prop),
      required: required.includes(name),
      form: 'llm',
      llm_description: description,
    };
    const fallback = plainDefault(own(prop, 'default'));
    if (fallback !== undefined) tool.default = fallback;
    return tool;
  });
  return { stored, parameters };
}

const MAX_ALL_OF_DEPTH = 8;

/**
 * A body schema as the tool needs it: `$ref` followed, `allOf` members' properties and `required`
 * merged in, and each property's own `$ref` followed (its type filled in from `allOf`/`anyOf`/
 * `oneOf` when it has none of its own). Nested references below that are left as written.
 */
function flattenSchema(raw: unknown, at: string, refs: LocalRefs, depth: number): JsonObject | undefined {
  const resolved = refs.resolve(raw, at);
  if (!isObject(resolved)) return undefined;
  const out = copyExcept(resolved, ['allOf', 'properties', 'required'], refs);
  const properties: JsonObject = {};
  const required: string[] = [];
  const allOf = own(resolved, 'allOf');
  if (Array.isArray(allOf) && depth < MAX_ALL_OF_DEPTH) {
    allOf.forEach((member, index) => {
      const part = flattenSchema(member, `${at}.allOf[${index}]`, refs, depth + 1);
      if (!part) return;
      if (isObject(part.properties)) Object.assign(properties, part.properties);
      if (Array.isArray(part.required)) required.push(...(part.required as string[]));
      if (out.type === undefined && part.type !== undefined) out.type = part.type;
    });
  } else if (allOf !== undefined) {
    out.allOf = refs.copy(allOf);
  }
  const own_ = own(resolved, 'properties');
  if (isObject(own_)) {
    for (const [name, property] of Object.entries(own_)) {
      const propertyAt = `${at}.properties${formatLocation([name]).replace(/^(?!\[)/, '.')}`;
      const target = refs.resolve(property, propertyAt);
      const stored: JsonObject = isObject(target) ? refs.copy(target) : {};
      // OpenAPI 3.1 lets a $ref carry its own description; 3.0 documents write one anyway.
      const ownDescription = isObject(property) ? ownString(property, 'description') : undefined;
      if (ownDescription !== undefined) stored.description = ownDescription;
      if (stored.type === undefined) {
        const type = schemaType(stored, refs, propertyAt);
        if (type) stored.type = type;
      }
      setOwn(properties, name, stored);
    }
  }
  const ownRequired = own(resolved, 'required');
  if (Array.isArray(ownRequired))
    required.push(...ownRequired.filter((item): item is string => typeof item === 'string'));
  if (Object.keys(properties).length > 0) {
    out.properties = properties;
    if (out.type === undefined) out.type = 'object';
  }
  if (required.length > 0) out.required = [...new Set(required)];
  return out;
}

const MAX_TYPE_SEARCH_DEPTH = 4;

/** A schema's type: its own `type` (the first non-null one of a list), else the first its `allOf`/`anyOf`/`oneOf` members give. */
function schemaType(schema: unknown, refs: LocalRefs, at: string, depth = 0): string | undefined {
  const resolved = refs.resolve(schema, at);
  if (!isObject(resolved)) return undefined;
  const type = primaryType(resolved);
  if (type) return type;
  if (depth >= MAX_TYPE_SEARCH_DEPTH) return undefined;
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const members = own(resolved, key);
    if (!Array.isArray(members)) continue;
    for (let index = 0; index < members.length; index++) {
      const found = schemaType(members[index], refs, `${at}.${key}[${index}]`, depth + 1);
      if (found && found !== 'null') return found;
    }
  }
  return undefined;
}

/** A schema's own `type`; of a list of types (OpenAPI 3.1), the first that is not `null`. */
function primaryType(schema: JsonObject): string | undefined {
  const type = own(schema, 'type');
  if (typeof type === 'string') return type;
  return Array.isArray(type)
    ? type.find((item): item is string => typeof item === 'string' && item !== 'null')
    : undefined;
}

/** Dify's mapping: integer/number → number, boolean → boolean, a binary string (a file upload) → file, else string. */
function toolType(type: string | undefined, schema: JsonObject | undefined): ToolParameterType {
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  if (schema && own(schema, 'format') === 'binary') return 'file';
  const items = schema ? own(schema, 'items') : undefined;
  if (type === 'array' && isObject(items) && own(items, 'format') === 'binary') return 'file';
  return 'string';
}

/** A default the console and the model can show: Dify drops list and object defaults. */
function plainDefault(value: unknown): string | number | boolean | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/** A copy of an object without some of its keys. */
function copyExcept(object: JsonObject, except: string | string[], refs: LocalRefs): JsonObject {
  const skip = typeof except === 'string' ? [except] : except;
  const out: JsonObject = {};
  for (const key of Object.keys(object)) {
    if (!skip.includes(key)) setOwn(out, key, refs.copy(object[key]));
  }
  return out;
}

/** `object[key] = value`, a key named `__proto__` included. */
function setOwn(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
