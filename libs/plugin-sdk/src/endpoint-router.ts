import { DefinitionError } from './errors';

/** A compiled endpoint path: `/items/:id`, Dify's `/items/<id>`, and a trailing `/*` for the rest. */
export interface PathPattern {
  readonly source: string;
  match(path: string): Record<string, string> | undefined;
}

const PARAM = /^(?::([A-Za-z_][A-Za-z0-9_]*)|<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>)$/;

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

export function compilePath(source: string): PathPattern {
  if (typeof source !== 'string' || !source.startsWith('/')) {
    throw new DefinitionError(`endpoint path ${JSON.stringify(source)} must start with /`);
  }
  const parts = segments(source);
  const wildcard = parts.length > 0 && parts[parts.length - 1] === '*';
  const fixed = wildcard ? parts.slice(0, -1) : parts;
  const compiled = fixed.map((part) => {
    if (part.includes('*')) throw new DefinitionError(`endpoint path ${source}: * may only be the last segment`);
    const param = PARAM.exec(part);
    return param ? { param: param[1] ?? param[2] } : { literal: part };
  });
  return {
    source,
    match(path) {
      const actual = segments(path);
      if (wildcard ? actual.length < compiled.length : actual.length !== compiled.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < compiled.length; i++) {
        const part = compiled[i];
        let value: string;
        try {
          value = decodeURIComponent(actual[i]);
        } catch {
          return undefined;
        }
        if ('literal' in part) {
          if (value !== part.literal) return undefined;
        } else {
          params[part.param] = value;
        }
      }
      if (wildcard) params['*'] = actual.slice(compiled.length).join('/');
      return params;
    },
  };
}
