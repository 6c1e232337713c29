import type { HtmlToTextOptions } from 'html-to-text';
import { STATUS_CODES } from 'node:http';
import { decodeText, mediaType, responseHeader } from '../../../../common/ssrf/guarded-response';
import { ToolError } from '../../tool.types';
import type { BuiltinToolDeps, BuiltinToolImplementation } from '../builtin-tool-provider';
import { decodeContentEncoding, httpUrl, isTextual, sendThroughGuard, truncateText } from '../outbound';

/** The most of a page the tool downloads; the guard refuses a larger one. */
export const WEBPAGE_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
/** The most of a page's text the model is shown (about 10k tokens); the rest is cut with a note. */
export const WEBPAGE_MAX_TEXT_CHARS = 40_000;

/** Media types read as they are: already text a model can read. */
const PLAIN_TYPES = new Set(['text/plain', 'text/markdown', 'text/x-markdown', 'text/csv']);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** What is not the page's content: code, styling, embedded media, navigation, hidden parts. */
const SKIPPED = [
  'head',
  'title',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'canvas',
  'iframe',
  'object',
  'img',
  'picture',
  'video',
  'audio',
  'nav',
  'footer',
  'button',
  '[hidden]',
  '[aria-hidden="true"]',
];

const HTML_TO_TEXT: HtmlToTextOptions = {
  wordwrap: false,
  baseElements: { selectors: ['body'], returnDomByDefault: true },
  selectors: [
    ...SKIPPED.map((selector) => ({ selector, format: 'skip' })),
    // Links as their text only: URLs cost tokens and are mostly navigation.
    { selector: 'a', options: { ignoreHref: true } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
};

/** html-to-text (and its HTML parser) load on the first page, not at boot. */
let compiled: Promise<(html: string) => string> | undefined;
function htmlToText(): Promise<(html: string) => string> {
  compiled ??= import('html-to-text').then(({ compile }) => compile(HTML_TO_TEXT));
  return compiled;
}

/**
 * `webpage_to_text(url)`: fetches a page through the SSRF guard and returns its title and readable
 * text. Plain text and Markdown come back as they are; any other content (PDF, images, archives)
 * and any error status are a `ToolError`, since there is no page text to give.
 */
export function webpageToText({ http }: BuiltinToolDeps): BuiltinToolImplementation {
  return async (params, context) => {
    const url = httpUrl('webpage_to_text', params.url as string);
    const response = await sendThroughGuard(http, 'webpage_to_text', {
      method: 'GET',
      url: url.href,
      headers: {
        accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1',
        'user-agent': params.user_agent as string,
      },
      maxResponseBytes: WEBPAGE_MAX_RESPONSE_BYTES,
      ...(context.signal && { signal: context.signal }),
    });
    const finalUrl = response.url || url.href;
    if (response.status >= 400) {
      throw new ToolError(
        `webpage_to_text: ${finalUrl} answered HTTP ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd(),
      );
    }
    if (response.status >= 300) {
      throw new ToolError(`webpage_to_text: ${finalUrl} answered HTTP ${response.status} without a page to read`);
    }

    const body = decodeContentEncoding(
      'webpage_to_text',
      response.body,
      responseHeader(response.headers, 'content-encoding'),
      WEBPAGE_MAX_RESPONSE_BYTES * 4,
    );
    const { type, charset } = mediaType(responseHeader(response.headers, 'content-type'));
    const kind = pageKind(type, body);
    if (kind === 'other') {
      throw new ToolError(
        `webpage_to_text: ${finalUrl} is ${type ?? 'binary content'}, not a web page; it reads HTML and plain text only`,
      );
    }
    if (kind === 'plain') {
      const text = decodeText(body, charset).trim();
      return [{ type: 'text', text: `URL: ${finalUrl}\n\n${truncateText(text, WEBPAGE_MAX_TEXT_CHARS)}` }];
    }

    const html = decodeText(body, charset ?? metaCharset(body));
    const convert = await htmlToText();
    const title = pageTitle(html, convert);
    const text = convert(html)
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    const page = [
      `Title: ${title || '(none)'}`,
      `URL: ${finalUrl}`,
      '',
      text || '(the page has no readable text)',
    ].join('\n');
    return [{ type: 'text', text: truncateText(page, WEBPAGE_MAX_TEXT_CHARS) }];
  };
}

function pageKind(type: string | undefined, body: Buffer): 'html' | 'plain' | 'other' {
  if (type && HTML_TYPES.has(type)) return 'html';
  if (type && PLAIN_TYPES.has(type)) return 'plain';
  if (type) return 'other';
  // No Content-Type: sniff, as a browser would.
  if (!isTextual(undefined, body)) return 'other';
  const head = body.subarray(0, 1024).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || /<(head|body|title)[\s>]/.test(head)
    ? 'html'
    : 'plain';
}

/** The charset a page declares in a `<meta>` near its top, when its Content-Type does not say. */
function metaCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 4096).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase();
}

function pageTitle(html: string, convert: (html: string) => string): string {
  const inner = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html)?.[1];
  // Through the converter too, for its entity decoding and whitespace collapsing.
  return inner ? convert(inner).replace(/\s+/g, ' ').trim() : '';
}
