import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { GuardedHttp, GuardedRequest, GuardedResponse } from '../../../common/ssrf/guarded-http';
import { ToolError } from '../tool.types';

/**
 * Sends a tool's request through the SSRF guard. Anything that keeps a response from coming back —
 * a destination the guard blocks (`ssrf_blocked`), a refused connection, a timeout, a response
 * over the size cap (`outbound_request_failed`) — becomes a `ToolError` carrying the reason, so the
 * model reads why and can try something else. A cancelled run keeps its own error.
 */
export async function sendThroughGuard(
  http: GuardedHttp,
  tool: string,
  request: GuardedRequest,
): Promise<GuardedResponse> {
  try {
    return await http.request(request);
  } catch (error) {
    if (request.signal?.aborted) throw error;
    const { code, message } = error as { code?: unknown; message?: unknown };
    const reason = typeof message === 'string' && message ? message : String(error);
    const blocked = code === 'ssrf_blocked' ? 'blocked by the outbound request policy: ' : '';
    throw new ToolError(`${tool}: ${request.method} ${request.url} failed: ${blocked}${reason}`, { cause: error });
  }
}

/** Checks a URL the model gave: absolute, http or https. */
export function httpUrl(tool: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ToolError(`${tool}: "${value}" is not an absolute URL (like https://example.com/page)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError(
      `${tool}: only http and https URLs can be fetched, not ${url.protocol.slice(0, -1)} (${value})`,
    );
  }
  return url;
}

/** Whether a media type is text a model can read (JSON, XML, form data, scripts and `text/*`). */
export function isTextual(type: string | undefined, body: Buffer): boolean {
  if (!type) return !body.subarray(0, 1024).includes(0);
  return (
    type.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(type) ||
    /^application\/(javascript|ecmascript|x-www-form-urlencoded|x-ndjson|ld\+json|yaml|x-yaml|graphql|sql)$/.test(type)
  );
}

/**
 * Undoes a `Content-Encoding` the server applied anyway (the tools never ask for one). Output is
 * capped, so a small compressed body cannot inflate into a huge one.
 */
export function decodeContentEncoding(
  tool: string,
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): Buffer {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity' || body.length === 0) return body;
  const options = { maxOutputLength: maxBytes };
  try {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, options);
      case 'deflate':
        try {
          return inflateSync(body, options);
        } catch {
          return inflateRawSync(body, options);
        }
      case 'br':
        return brotliDecompressSync(body, options);
      default:
        throw new Error(`unsupported content encoding "${coding}"`);
    }
  } catch (error) {
    throw new ToolError(`${tool}: could not decode the ${coding} response body: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Cuts text at `limit` characters and says so, so the model knows it is not reading all of it. */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1; // do not split a surrogate pair
  return `${text.slice(0, cut)}\n\n[truncated: showing the first ${cut} of ${text.length} characters]`;
}
