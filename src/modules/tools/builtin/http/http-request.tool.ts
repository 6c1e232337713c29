import { STATUS_CODES } from 'node:http';
import { RESERVED_HEADERS } from '../../../../common/ssrf/ssrf-guarded.http';
import { decodeText, mediaType, responseHeader } from '../../../../common/ssrf/guarded-response';
import { ToolError } from '../../tool.types';
import type { BuiltinToolDeps, BuiltinToolImplementation } from '../builtin-tool-provider';
import { decodeContentEncoding, httpUrl, isTextual, sendThroughGuard, truncateText } from '../outbound';

/** The most of a response the tool reads; the guard refuses a larger one. */
export const HTTP_REQUEST_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** The most of a body the model is shown (about 8k tokens); the rest is cut with a note. */
export const HTTP_REQUEST_MAX_BODY_CHARS = 32_000;

/**
 * Headers the connection owns: the body's length and framing are the client's to set, the host
 * is the URL's, and no compression is asked for (the body goes to a model as text).
 */
const CONNECTION_HEADERS = new Set([...RESERVED_HEADERS, 'trailer', 'accept-encoding']);

/** Response headers about the connection, not the answer: not shown to the model. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `http_request(method, url, headers, body)`: one HTTP request through the SSRF guard. Any status
 * comes back as text — status line, response headers, body — because a 404 or a 500 with its body
 * is an answer the model can act on. Only a request that gets no response (blocked, refused,
 * timed out, too large) is a `ToolError`.
 */
export function httpRequest({ http }: BuiltinToolDeps): BuiltinToolImplementation {
  return async (params, context) => {
    const method = params.method as string;
    const url = httpUrl('http_request', params.url as string);
    const headers = parseHeaders((params.headers as string | undefined) ?? '');
    const body = params.body as string | undefined;
    if (body !== undefined && method === 'HEAD')
      throw new ToolError('http_request: a HEAD request cannot carry a body');
    if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
    }

    const response = await sendThroughGuard(http, 'http_request', {
      method,
      url: url.href,
      headers,
      ...(body !== undefined && { body }),
      maxResponseBytes: HTTP_REQUEST_MAX_RESPONSE_BYTES,
      ...(context.signal && { signal: context.signal }),
    });

    const lines = [`HTTP ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd()];
    if (response.url && response.url !== url.href) lines.push(`(answered by ${response.url} after redirects)`);
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase()))
        lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
    }
    lines.push('', describeBody('http_request', method, response.body, response.headers));
    return [{ type: 'text', text: lines.join('\n') }];
  };
}

function describeBody(
  tool: string,
  method: string,
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
): string {
  if (method === 'HEAD') return '(no body: HEAD request)';
  if (raw.length === 0) return '(empty body)';
  const body = decodeContentEncoding(
    tool,
    raw,
    responseHeader(headers, 'content-encoding'),
    HTTP_REQUEST_MAX_RESPONSE_BYTES * 4,
  );
  const { type, charset } = mediaType(responseHeader(headers, 'content-type'));
  if (!isTextual(type, body)) return `(binary body: ${body.length} bytes of ${type ?? 'unknown type'}, not shown)`;
  return truncateText(decodeText(body, charset), HTTP_REQUEST_MAX_BODY_CHARS);
}

/**
 * The model's headers: a JSON object (`{"Accept": "application/json"}`) or one `Name: value` per
 * line. Names must be HTTP tokens and values single lines; connection headers are dropped.
 */
export function parseHeaders(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (!trimmed) return {};
  const entries: Array<[string, string]> = [];
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new ToolError(`http_request: headers look like JSON but do not parse: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ToolError('http_request: headers must be a JSON object of names to values');
    }
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new ToolError(`http_request: the value of header "${name}" must be a string`);
      }
      entries.push([name, String(value)]);
    }
  } else {
    for (const line of trimmed.split(/\r?\n/)) {
      if (!line.trim()) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ToolError(`http_request: the header line "${line}" is not "Name: value"`);
      entries.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }

  const headers: Record<string, string> = {};
  const byLowerName = new Map<string, string>();
  for (const [name, value] of entries) {
    if (!TOKEN.test(name)) throw new ToolError(`http_request: "${name}" is not a valid header name`);
    if (/[\r\n\0]/.test(value))
      throw new ToolError(`http_request: the value of header "${name}" must be a single line`);
    const lower = name.toLowerCase();
    if (CONNECTION_HEADERS.has(lower)) continue;
    const existing = byLowerName.get(lower);
    if (existing !== undefined) headers[existing] = `${headers[existing]}, ${value}`;
    else {
      byLowerName.set(lower, name);
      headers[name] = value;
    }
  }
  return headers;
}

function looksLikeJson(body: string): boolean {
  const start = body.trimStart()[0];
  if (start !== '{' && start !== '[') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
