import { errorMessage } from '../../../common/errors/error-message';
import type { GuardedHttp, GuardedResponse } from '../../../common/ssrf/guarded-http';
import { decodeText, mediaType, responseHeader } from '../../../common/ssrf/guarded-response';
import {
  ToolError,
  type I18nText,
  type Tool,
  type ToolContext,
  type ToolMessage,
  type ToolParameter,
} from '../tool.types';
import type { ApiToolCredentials } from './api-credentials';
import { API_TOOL_USER_AGENT, buildApiToolRequest } from './api-request.builder';
import type { ApiToolBundle } from './api-tool-bundle';

export { API_TOOL_USER_AGENT };

/** Dify's words for a successful call that answered nothing. */
export const EMPTY_RESPONSE_TEXT = 'Empty response from the tool, please check your parameters and try again.';

/** How much of an error response's body the message quotes. */
const ERROR_EXCERPT_CHARS = 500;

/** The API answered with an error status (≥ 400). */
export class ApiToolHttpError extends ToolError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiToolHttpError';
  }
}

export interface ApiToolOptions {
  userAgent?: string;
}

/**
 * One operation of a custom API tool provider, ready to run: the model sees the operation id as
 * the tool's name, its description (else summary) and its parameters; a call becomes one request
 * through the SSRF guard.
 *
 * Results, as Dify gives them: an error status is a `ToolError` quoting the status and the start of
 * the body; an attachment (`Content-Disposition: attachment`) is a blob; a JSON answer (a JSON
 * media type whose body parses to an object or a list) is a `json` message followed by the same
 * text; anything else is the body as text. A request the guard refuses or that fails on the way is
 * a `ToolError` too — the agent tells the model, the chat goes on — unless the call was cancelled.
 */
export class ApiTool implements Tool {
  readonly name: string;
  readonly label: I18nText;
  readonly description: { human: I18nText; llm: string };
  readonly parameters: ToolParameter[];

  constructor(
    readonly bundle: ApiToolBundle,
    private readonly credentials: ApiToolCredentials,
    private readonly http: GuardedHttp,
    private readonly options: ApiToolOptions = {},
  ) {
    this.name = bundle.operation_id;
    this.label = { en_US: bundle.operation_id, zh_Hans: bundle.operation_id };
    const summary = bundle.summary ?? '';
    this.description = { human: { en_US: summary, zh_Hans: summary }, llm: summary };
    this.parameters = bundle.parameters;
  }

  async invoke(params: Record<string, unknown>, context: ToolContext): Promise<ToolMessage[]> {
    const request = buildApiToolRequest(this.bundle, params, this.credentials, this.options.userAgent);
    let response: GuardedResponse;
    try {
      response = await this.http.request({ ...request, signal: context.signal });
    } catch (error) {
      if (context.signal?.aborted) throw error;
      const reason = errorMessage(error);
      // Never the query string: an api_key_query credential lives there.
      throw new ToolError(`Request to ${withoutQuery(request.url)} failed: ${reason}`, { cause: error });
    }
    return toToolMessages(response);
  }
}

/** An API's answer → the tool's messages (see `ApiTool`). */
export function toToolMessages(response: GuardedResponse): ToolMessage[] {
  const contentType = responseHeader(response.headers, 'content-type');
  if (response.status >= 400) {
    const text = decodeText(response.body, mediaType(contentType).charset).replace(/\s+/g, ' ').trim();
    const excerpt = text.length > ERROR_EXCERPT_CHARS ? `${text.slice(0, ERROR_EXCERPT_CHARS)}…` : text;
    throw new ApiToolHttpError(
      response.status,
      `Request failed with status code ${response.status}${excerpt ? ` and ${excerpt}` : ''}`,
    );
  }
  if (response.body.length === 0) return [{ type: 'text', text: EMPTY_RESPONSE_TEXT }];

  const mimeType = mediaType(contentType).type ?? '';
  const disposition = responseHeader(response.headers, 'content-disposition') ?? '';
  if (disposition.split(';')[0].trim().toLowerCase() === 'attachment') {
    const filename = attachmentFilename(disposition);
    return [
      {
        type: 'blob',
        blob: response.body,
        mimeType: mimeType || 'application/octet-stream',
        ...(filename && { filename }),
      },
    ];
  }

  const text = decodeText(response.body, mediaType(contentType).charset);
  if (mimeType === 'application/json' || mimeType.endsWith('+json')) {
    try {
      const json = JSON.parse(text) as unknown;
      if (typeof json === 'object' && json !== null)
        return [
          { type: 'json', json },
          { type: 'text', text },
        ];
    } catch {
      // Labelled JSON but is not: the text alone.
    }
  }
  return [{ type: 'text', text }];
}

function attachmentFilename(disposition: string): string | undefined {
  const extended = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // fall back to the plain filename
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  return name || undefined;
}

function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(the tool URL)';
  }
}
