import { PluginError } from './errors';
import { isRecord, type PluginFile, type ToolMessage } from './protocol';

/**
 * Builders for a tool's results. A tool yields (or returns) these; a bare string is a text message.
 * `blob` takes bytes (a Buffer or Uint8Array) or a string (UTF-8 text) and sends them base64.
 */
export const messages = {
  text: (text: string): ToolMessage => ({ type: 'text', text: String(text) }),
  json: (json: unknown): ToolMessage => ({ type: 'json', json }),
  image: (url: string): ToolMessage => ({ type: 'image', url }),
  link: (url: string): ToolMessage => ({ type: 'link', url }),
  blob: (data: Uint8Array | string, meta: { mime_type: string; filename?: string }): ToolMessage => {
    const bytes =
      typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const message: ToolMessage = { type: 'blob', blob: bytes.toString('base64'), mime_type: meta.mime_type };
    if (meta.filename !== undefined) message.filename = meta.filename;
    return message;
  },
  file: (file: PluginFile): ToolMessage => ({ type: 'file', file }),
};

/** What a tool may yield or return: a message, or a string (a text message). */
export type ToolOutput = ToolMessage | string;

function invalid(detail: string): PluginError {
  return new PluginError('InvalidResult', `the tool produced an invalid message: ${detail}`);
}

/** Check a message a tool produced; strings become text messages. Throws `InvalidResult`. */
export function toToolMessage(output: unknown): ToolMessage {
  if (typeof output === 'string') return { type: 'text', text: output };
  if (!isRecord(output)) return invalidOutput(output);
  switch (output.type) {
    case 'text':
      if (typeof output.text !== 'string') throw invalid('a text message needs a string text');
      return { type: 'text', text: output.text };
    case 'json':
      if (!('json' in output)) throw invalid('a json message needs json');
      return { type: 'json', json: output.json };
    case 'image':
    case 'link':
      if (typeof output.url !== 'string' || !output.url) throw invalid(`an ${output.type} message needs a url`);
      return { type: output.type, url: output.url };
    case 'blob': {
      if (typeof output.blob !== 'string' || typeof output.mime_type !== 'string') {
        throw invalid('a blob message needs a base64 blob and a mime_type (use messages.blob)');
      }
      const message: ToolMessage = { type: 'blob', blob: output.blob, mime_type: output.mime_type };
      if (typeof output.filename === 'string') message.filename = output.filename;
      return message;
    }
    case 'file':
      if (!isRecord(output.file) || typeof output.file.url !== 'string')
        throw invalid('a file message needs a file with a url');
      return { type: 'file', file: output.file as unknown as PluginFile };
    default:
      throw invalid(`unknown type ${JSON.stringify(output.type)}`);
  }
}

function invalidOutput(output: unknown): never {
  throw invalid(`expected a message object or a string, got ${output === null ? 'null' : typeof output}`);
}
