// Dify's variable syntax: {{name}}, a letter or underscore then up to 29 word characters.
const VARIABLE = /\{\{([a-zA-Z_][a-zA-Z0-9_]{0,29})\}\}/g;

/**
 * Fills `{{variable}}` placeholders from `inputs`. A placeholder with no input is left as written
 * (Dify does the same), so a template shows what it expected instead of silently losing text.
 */
export function renderPrompt(template: string, inputs: Record<string, unknown>): string {
  return template.replace(VARIABLE, (match, name: string) => {
    const value = inputs[name];
    if (value === undefined || value === null) return match;
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

export function promptVariables(template: string): string[] {
  return [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]))];
}
