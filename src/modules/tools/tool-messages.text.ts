import type { ToolMessage } from './tool.types';

/** Long tool output is cut so that one call cannot fill the model's context. */
const MAX_TEXT_CHARS = 20_000;

/**
 * Tool messages as one text (and the files they name). A tool that gives both a `json` message and
 * a `text` one (an API tool's JSON answer) says the same thing twice: the JSON is read only when
 * there is no text.
 */
export function textOfToolMessages(messages: ToolMessage[]): { text: string; files: string[] } {
  const parts: string[] = [];
  const files: string[] = [];
  const hasText = messages.some((message) => message.type === 'text');
  for (const message of messages) {
    switch (message.type) {
      case 'text':
        parts.push(message.text);
        break;
      case 'json':
        if (!hasText) parts.push(JSON.stringify(message.json));
        break;
      case 'file':
        files.push(message.fileId);
        parts.push(`File ${message.filename} (${message.mimeType}): ${message.url}`);
        break;
      case 'blob':
        parts.push(
          `Binary result${message.filename ? ` ${message.filename}` : ''} (${message.mimeType}, ${message.blob.length} bytes)`,
        );
        break;
      default:
        parts.push(`${message.type === 'link' ? 'Link' : 'Image'}: ${message.url}`);
    }
  }
  let text = parts.join('\n');
  if (text.length > MAX_TEXT_CHARS) text = `${text.slice(0, MAX_TEXT_CHARS)}\n[truncated]`;
  return { text: text || 'The tool returned nothing.', files };
}
