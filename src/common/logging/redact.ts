/**
 * Keys whose values never reach a log line, at any depth: credentials, tokens, keys, cookies.
 * pino's own `redact` needs every path spelled out; secrets arrive under names nobody listed.
 */
const SECRET_KEY_PATTERN =
  /(pass(word|wd|phrase)?|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key|signature|session|dsn)/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : redactSecrets(v, depth + 1);
  }
  return out;
}

/** Masks secret-looking query parameters (`?api_key=…`, `?token=…`) in a logged URL. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of [...params.keys()]) {
    if (isSecretKey(key) || key === 'code' || key === 'state') {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
