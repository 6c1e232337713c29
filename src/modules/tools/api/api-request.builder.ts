import { randomBytes } from 'node:crypto';
import { ToolError } from '../tool.types';
import { credentialHeaders, credentialQuery, type ApiToolCredentials } from './api-credentials';
import type { ApiToolBundle, BundleParameter, JsonObject } from './api-tool-bundle';
import { isObject, own, ownString } from './schema-location';

/** What Keel calls itself in requests it sends for API tools (and for plugin manifests' schemas). */
export const API_TOOL_USER_AGENT = 'Keel-API-Tool/1.0';

/** The methods a tool may send (Dify's list: no OPTIONS, no TRACE). */
const SENDABLE_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'patch']);

export interface ApiToolRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/**
 * One call of an API tool → the HTTP request, as Dify's `ApiTool` builds it: path parameters
 * substituted (URL-encoded), query, header and cookie parameters placed, the request body built
 * from the body schema's properties (JSON, URL-encoded form or multipart form, as the operation's
 * first media type says), defaults filled in for what the model left out, credentials applied.
 *
 * Where Keel differs: the configured credentials win over a parameter of the same header or query
 * name; `null` counts as "not given"; a path parameter of `.` or `..` is refused (it would change
 * which endpoint is called).
 */
export function buildApiToolRequest(
  bundle: ApiToolBundle,
  args: Record<string, unknown>,
  credentials: ApiToolCredentials,
  userAgent: string = API_TOOL_USER_AGENT,
): ApiToolRequest {
  const method = bundle.method.toLowerCase();
  if (!SENDABLE_METHODS.has(method)) throw new ToolError(`Invalid http method ${bundle.method}`);

  const values = new Map<string, unknown>();
  for (const [name, value] of Object.entries(args)) {
    if (value !== undefined && value !== null) values.set(name, value);
  }
  const missing: string[] = [];
  for (const parameter of bundle.parameters) {
    if (!parameter.required || values.has(parameter.name)) continue;
    if (parameter.default !== undefined && parameter.default !== null) values.set(parameter.name, parameter.default);
    else missing.push(parameter.name);
  }
  if (missing.length === 1) throw new ToolError(`Missing required parameter ${missing[0]}`);
  if (missing.length > 1) throw new ToolError(`Missing required parameters ${missing.join(', ')}`);

  const parameters = bundle.openapi.parameters ?? [];
  const valueOf = (parameter: BundleParameter): unknown => {
    if (values.has(parameter.name)) return values.get(parameter.name);
    if (parameter.required) throw new ToolError(`Missing required parameter ${parameter.name}`);
    return parameter.schema ? own(parameter.schema, 'default') : undefined;
  };

  // Path parameters fill the path only: were a server variable without a default left in the
  // host, a parameter of its name would let the model choose where the credentials go.
  const authorityEnd = bundle.server_url.indexOf('://');
  const pathStart = authorityEnd < 0 ? 0 : bundle.server_url.indexOf('/', authorityEnd + 3);
  const origin = pathStart < 0 ? bundle.server_url : bundle.server_url.slice(0, pathStart);
  let path = pathStart < 0 ? '' : bundle.server_url.slice(pathStart);
  for (const parameter of parameters.filter((p) => p.in === 'path')) {
    const text = serialize(valueOf(parameter));
    if (text === '.' || text === '..') {
      throw new ToolError(`Path parameter ${parameter.name} must not be "${text}"`);
    }
    path = path.split(`{${parameter.name}}`).join(encodeURIComponent(text));
  }
  let url: URL;
  try {
    url = new URL(origin + path);
  } catch {
    throw new ToolError(`The tool's server URL ${bundle.server_url} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError(`The tool's server URL ${bundle.server_url} is not an http(s) URL`);
  }

  const headers = new HeaderSet();
  headers.set('User-Agent', userAgent);
  const cookies: string[] = [];
  for (const parameter of parameters) {
    if (parameter.in === 'path') continue;
    const value = valueOf(parameter);
    if (value === undefined || value === null || value === '') continue;
    if (parameter.in === 'query') {
      url.searchParams.delete(parameter.name);
      for (const item of Array.isArray(value) ? value : [value])
        url.searchParams.append(parameter.name, serialize(item));
    } else if (parameter.in === 'header') {
      headers.set(parameter.name, headerValue(parameter.name, serialize(value)));
    } else if (parameter.in === 'cookie') {
      cookies.push(`${parameter.name}=${encodeURIComponent(serialize(value))}`);
    }
  }
  if (cookies.length > 0) headers.set('Cookie', cookies.join('; '));

  let body: string | Buffer | undefined;
  const content = bundle.openapi.requestBody?.content;
  const first = content ? Object.entries(content)[0] : undefined;
  if (first) {
    const [mediaType, media] = first;
    const fields = bodyFields(bundle, isObject(media.schema) ? media.schema : {}, values);
    const encoded = encodeBody(mediaType, fields);
    headers.set('Content-Type', encoded.contentType);
    body = encoded.body;
  }

  for (const [name, value] of Object.entries(credentialQuery(credentials))) url.searchParams.set(name, value);
  for (const [name, value] of Object.entries(credentialHeaders(credentials))) headers.set(name, value);

  return { method: method.toUpperCase(), url: url.href, headers: headers.toRecord(), body };
}

/** The body's fields from the schema's properties: given, else required (an error), else the default. */
function bodyFields(bundle: ApiToolBundle, schema: JsonObject, values: Map<string, unknown>): Array<[string, unknown]> {
  const properties = isObject(own(schema, 'properties')) ? (own(schema, 'properties') as JsonObject) : {};
  const required = Array.isArray(own(schema, 'required')) ? (own(schema, 'required') as unknown[]) : [];
  const fields: Array<[string, unknown]> = [];
  for (const [name, raw] of Object.entries(properties)) {
    const property = isObject(raw) ? raw : {};
    if (values.has(name)) {
      if (isFile(property)) throw new ToolError(`Parameter ${name} is a file upload, which API tools cannot send yet`);
      fields.push([name, convert(property, values.get(name))]);
    } else if (required.includes(name)) {
      throw new ToolError(`Missing required parameter ${name} in operation ${bundle.operation_id}`);
    } else if (Object.hasOwn(property, 'default')) {
      fields.push([name, property.default]);
    }
  }
  return fields;
}

function isFile(property: JsonObject): boolean {
  if (own(property, 'format') === 'binary') return true;
  const items = own(property, 'items');
  return own(property, 'type') === 'array' && isObject(items) && own(items, 'format') === 'binary';
}

const NUMBER = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A model's argument → the property's type, where that is unambiguous; otherwise as given. */
function convert(property: JsonObject, value: unknown): unknown {
  switch (ownString(property, 'type')) {
    case 'integer':
    case 'number':
      return typeof value === 'string' && NUMBER.test(value) ? Number(value) : value;
    case 'boolean':
      if (typeof value === 'string' && /^(true|1)$/i.test(value.trim())) return true;
      if (typeof value === 'string' && /^(false|0)$/i.test(value.trim())) return false;
      if (typeof value === 'number') return value !== 0;
      return value;
    case 'string':
      return typeof value === 'string' ? value : serialize(value);
    case 'object':
    case 'array':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    default:
      return value;
  }
}

function encodeBody(
  mediaType: string,
  fields: Array<[string, unknown]>,
): { contentType: string; body: string | Buffer } {
  const essence = mediaType.split(';')[0].trim().toLowerCase();
  if (essence === 'application/json' || essence.endsWith('+json') || essence.includes('json')) {
    const object: JsonObject = {};
    for (const [name, value] of fields) {
      Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return { contentType: mediaType, body: JSON.stringify(object) };
  }
  if (essence === 'multipart/form-data') {
    const boundary = `----KeelFormBoundary${randomBytes(12).toString('hex')}`;
    const parts: string[] = [];
    for (const [name, value] of fields) {
      for (const item of Array.isArray(value) ? value : [value]) {
        const escaped = name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
        parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${escaped}"\r\n\r\n${serialize(item)}\r\n`);
      }
    }
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: `${parts.join('')}--${boundary}--\r\n` };
  }
  // application/x-www-form-urlencoded — and, as Dify's HTTP client does, any other media type.
  const form = new URLSearchParams();
  for (const [name, value] of fields) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, serialize(item));
  }
  return { contentType: mediaType, body: form.toString() };
}

/** A value as text for a path, query, header, cookie or form field. */
function serialize(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(serialize).join(',');
  return JSON.stringify(value);
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerValue(name: string, value: string): string {
  if (!HEADER_NAME.test(name))
    throw new ToolError(`Header parameter ${JSON.stringify(name)} is not a valid header name`);
  if (/[\r\n\0]/.test(value)) throw new ToolError(`Header parameter ${name} must not contain line breaks`);
  return value;
}

/** Headers by case-insensitive name: a later `set` replaces an earlier one however it was spelled. */
class HeaderSet {
  private readonly entries = new Map<string, [string, string]>();

  set(name: string, value: string): void {
    this.entries.set(name.toLowerCase(), [name, value]);
  }

  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this.entries.values()) {
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}
