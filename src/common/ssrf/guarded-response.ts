import type { GuardedResponse } from './guarded-http';

/** One response header as a string (repeated headers joined), or undefined. */
export function responseHeader(headers: GuardedResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `text/html; charset=Shift_JIS` → `{ type: 'text/html', charset: 'shift_jis' }`. */
export function mediaType(contentType: string | undefined): { type?: string; charset?: string } {
  if (!contentType) return {};
  const [type, ...params] = contentType.split(';');
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1]).find((c) => c !== undefined);
  return { type: type.trim().toLowerCase() || undefined, charset: charset?.toLowerCase() };
}

/** Decodes a body in its charset; an unknown or missing charset reads as UTF-8. */
export function decodeText(body: Buffer, charset: string | undefined): string {
  if (charset) {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // RangeError: a label TextDecoder does not know; UTF-8 is the best guess.
    }
  }
  return new TextDecoder('utf-8').decode(body);
}
