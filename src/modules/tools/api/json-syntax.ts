/**
 * Where JSON text first goes wrong, and how: V8's `JSON.parse` names the position for some
 * mistakes only ("Unexpected token '}', "{"a":}" is not valid JSON" has none), so on the error path
 * this small checker walks the text again (no recursion: nesting depth costs nothing) and reports
 * the first offending character.
 */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  type State = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'done';
  const containers: Array<'{' | '['> = [];
  let state = 'value' as State;
  let i = 0;
  const fail = (message: string, at = i) => ({ offset: at, message });
  const afterValue = () => {
    state = containers.length > 0 ? 'commaOrClose' : 'done';
  };

  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= text.length) return state === 'done' ? undefined : fail('unexpected end of input');
    const c = text[i];
    switch (state) {
      case 'done':
        return fail(`unexpected ${quote(c)} after the end of the JSON value`);
      case 'colon':
        if (c !== ':') return fail(`expected ':' after a property name, found ${quote(c)}`);
        i++;
        state = 'value';
        continue;
      case 'commaOrClose': {
        const close = containers[containers.length - 1] === '{' ? '}' : ']';
        if (c === ',') {
          i++;
          state = close === '}' ? 'key' : 'value';
        } else if (c === close) {
          i++;
          containers.pop();
          afterValue();
        } else {
          return fail(`expected ',' or '${close}', found ${quote(c)}`);
        }
        continue;
      }
      case 'key':
      case 'keyOrClose': {
        if (state === 'keyOrClose' && c === '}') {
          i++;
          containers.pop();
          afterValue();
          continue;
        }
        if (c !== '"') return fail(`expected a double-quoted property name, found ${quote(c)}`);
        const error = readString();
        if (error) return error;
        state = 'colon';
        continue;
      }
      case 'value':
      case 'valueOrClose': {
        if (state === 'valueOrClose' && c === ']') {
          i++;
          containers.pop();
          afterValue();
          continue;
        }
        if (c === '{' || c === '[') {
          containers.push(c);
          i++;
          state = c === '{' ? 'keyOrClose' : 'valueOrClose';
          continue;
        }
        if (c === '"') {
          const error = readString();
          if (error) return error;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
          number.lastIndex = i;
          if (!number.test(text)) return fail(`malformed number`);
          i = number.lastIndex;
        } else {
          const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
          if (!literal) {
            return fail(
              state === 'valueOrClose' || containers.length === 0
                ? `unexpected ${quote(c)} where a value should start`
                : `expected a value, found ${quote(c)}`,
            );
          }
          i += literal.length;
        }
        afterValue();
        continue;
      }
    }
  }

  function readString(): { offset: number; message: string } | undefined {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('bad \\u escape in a string');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          i += 2;
        } else {
          return fail('bad escape in a string');
        }
        continue;
      }
      if (c < ' ') return fail('control character (a raw line break or tab?) inside a string');
      i++;
    }
    return fail('unterminated string', start);
  }
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function quote(c: string): string {
  return JSON.stringify(c);
}
