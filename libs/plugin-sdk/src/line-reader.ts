import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface LineReaderHandlers {
  line(line: string): void;
  /** A line longer than the limit was dropped (up to its newline). */
  oversize(length: number): void;
  end(): void;
}

/**
 * Split a byte stream into `\n`-terminated UTF-8 lines (a trailing `\r` is removed; a last line
 * without a newline still counts). A line longer than `maxLineLength` characters is dropped
 * rather than buffered without bound. Returns a function that stops reading.
 */
export function readLines(input: Readable, maxLineLength: number, handlers: LineReaderHandlers): () => void {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  let dropping = false;
  let droppedLength = 0;
  let ended = false;

  const emit = (line: string): void => {
    handlers.line(line.endsWith('\r') ? line.slice(0, -1) : line);
  };

  const onText = (text: string): void => {
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      const piece = text.slice(start, newline);
      start = newline + 1;
      if (dropping) {
        handlers.oversize(droppedLength + piece.length);
        dropping = false;
        droppedLength = 0;
        continue;
      }
      if (buffered.length + piece.length > maxLineLength) {
        handlers.oversize(buffered.length + piece.length);
        buffered = '';
        continue;
      }
      const line = buffered + piece;
      buffered = '';
      emit(line);
    }
    const rest = text.slice(start);
    if (dropping) {
      droppedLength += rest.length;
    } else if (buffered.length + rest.length > maxLineLength) {
      dropping = true;
      droppedLength = buffered.length + rest.length;
      buffered = '';
    } else {
      buffered += rest;
    }
  };

  const onData = (chunk: Buffer | string): void => {
    onText(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  };
  const onEnd = (): void => {
    if (ended) return;
    ended = true;
    onText(decoder.end());
    if (dropping) handlers.oversize(droppedLength);
    else if (buffered.length > 0) emit(buffered);
    buffered = '';
    handlers.end();
  };

  input.on('data', onData);
  input.on('end', onEnd);
  input.on('close', onEnd);
  return () => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('close', onEnd);
  };
}
