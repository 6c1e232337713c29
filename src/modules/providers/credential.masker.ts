/**
 * `sk-****abcd`: enough to recognise which key is set, never enough to use it. Short secrets are
 * masked whole.
 */
export function maskSecret(value: string): string {
  if (value.length <= 8) return '*'.repeat(Math.max(value.length, 4));
  const prefix = /^[A-Za-z]+-/.exec(value)?.[0] ?? value.slice(0, 2);
  return `${prefix.slice(0, 8)}****${value.slice(-4)}`;
}

export function maskCredentials(
  credentials: Record<string, unknown>,
  secretFields: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...credentials };
  for (const field of secretFields) {
    if (typeof out[field] === 'string' && out[field]) out[field] = maskSecret(out[field]);
  }
  return out;
}
