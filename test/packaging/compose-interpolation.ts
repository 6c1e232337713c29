/**
 * Compose's variable interpolation, as the Compose Specification defines it, for the stack's
 * static checks (no Docker engine runs here): `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}`,
 * `${VAR:?error}` / `${VAR?error}` and `$$` for a literal `$`. Compose interpolates every string
 * value, then validates the result against its schema; so do the tests.
 */
export class MissingVariableError extends Error {}

export function interpolate(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)]));
  }
  return value;
}

const PATTERN = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function interpolateString(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    PATTERN,
    (_match, dollar: string, braced: string, operator: string, arg: string, bare: string) => {
      if (dollar) return '$';
      const name = braced ?? bare;
      const value = env[name];
      const unset = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
      if (operator?.endsWith('-')) return unset ? interpolateString(arg ?? '', env) : value!;
      if (operator?.endsWith('?')) {
        if (unset) throw new MissingVariableError(`${name}: ${arg || 'required'}`);
        return value!;
      }
      return value ?? '';
    },
  );
}

/** An env file as Compose reads it: `NAME=value` lines, `#` comments, blank lines. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2].trim();
  }
  return env;
}
