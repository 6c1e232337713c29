import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments, stringify as toYamlText } from 'yaml';

/**
 * A renderer for the subset of Helm's template language the Keel chart is written in (listed in
 * its `_helpers.tpl`): `{{ }}` actions with `-` whitespace trimming and comments; `.` and `$`
 * lookups (`.Values.a.b`, `$.Release.Name`); `if`/`else`, `with`/`else`, `range`/`else`;
 * `define`/`include`; parenthesised sub-expressions; pipelines into `toYaml`, `nindent`, `indent`,
 * `quote` and `default`. No Helm (nor Go) runs here, so the chart's contract test renders with
 * this; anything outside the subset is an error rather than a guess, so the chart cannot drift
 * into what this renderer would get wrong. `helm template` remains the operator's check.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if'; cond: Pipeline; then: Node[]; else: Node[] }
  | { kind: 'with'; value: Pipeline; then: Node[]; else: Node[] }
  | { kind: 'range'; value: Pipeline; then: Node[]; else: Node[] };

type Operand =
  | { kind: 'field'; from: 'dot' | 'root'; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string }
  | { kind: 'sub'; pipeline: Pipeline };
type Command = Operand[];
type Pipeline = Command[];

export interface RenderContext {
  Values: unknown;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string; AppVersion: string };
}

const FUNCTIONS = new Set(['include', 'toYaml', 'nindent', 'indent', 'quote', 'default']);

// --- lexing: text and actions, with trimming ------------------------------------------------

interface RawAction {
  body: string;
  line: number;
}

function lex(source: string, file: string): Array<string | RawAction> {
  const parts: Array<string | RawAction> = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push(source.slice(at));
      break;
    }
    const close = source.indexOf('}}', open);
    if (close < 0) throw new Error(`${file}: unclosed {{`);
    let text = source.slice(at, open);
    let body = source.slice(open + 2, close);
    if (body.startsWith('-') && /\s/.test(body[1] ?? '')) {
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    let trimAfter = false;
    if (body.endsWith('-') && /\s/.test(body.at(-2) ?? '')) {
      trimAfter = true;
      body = body.slice(0, -1);
    }
    parts.push(text);
    const line = source.slice(0, open).split('\n').length;
    body = body.trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) parts.push({ body, line });
    at = close + 2;
    if (trimAfter) at += /^\s*/.exec(source.slice(at))![0].length;
  }
  return parts;
}

// --- parsing ------------------------------------------------------------------------------------

function tokenize(body: string, where: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|\(|\)|\||[^\s()|"]+)/y;
  let read = 0;
  for (let match = pattern.exec(body); match; match = pattern.exec(body)) {
    tokens.push(match[1]);
    read = pattern.lastIndex;
  }
  if (body.slice(read).trim() !== '') throw new Error(`${where}: cannot read "${body}"`);
  return tokens;
}

function parsePipeline(tokens: string[], where: string): Pipeline {
  let at = 0;
  const pipeline = (): Pipeline => {
    const commands: Pipeline = [[]];
    while (at < tokens.length && tokens[at] !== ')') {
      const token = tokens[at++];
      if (token === '|') {
        commands.push([]);
      } else if (token === '(') {
        commands.at(-1)!.push({ kind: 'sub', pipeline: pipeline() });
        if (tokens[at++] !== ')') throw new Error(`${where}: missing )`);
      } else {
        commands.at(-1)!.push(operand(token));
      }
    }
    if (commands.some((c) => c.length === 0)) throw new Error(`${where}: empty command in pipeline`);
    return commands;
  };
  const operand = (token: string): Operand => {
    if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) as string };
    if (/^-?\d+$/.test(token)) return { kind: 'literal', value: Number(token) };
    if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
    if (token === '.') return { kind: 'field', from: 'dot', path: [] };
    if (token === '$') return { kind: 'field', from: 'root', path: [] };
    if (token.startsWith('$.')) return { kind: 'field', from: 'root', path: token.slice(2).split('.') };
    if (token.startsWith('.')) return { kind: 'field', from: 'dot', path: token.slice(1).split('.') };
    if (FUNCTIONS.has(token)) return { kind: 'call', name: token };
    throw new Error(`${where}: "${token}" is outside the template subset`);
  };
  const result = pipeline();
  if (at !== tokens.length) throw new Error(`${where}: unexpected )`);
  return result;
}

function parse(parts: Array<string | RawAction>, file: string, defines: Map<string, Node[]>): Node[] {
  let at = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (at < parts.length) {
      const part = parts[at++];
      if (typeof part === 'string') {
        if (part) nodes.push({ kind: 'text', text: part });
        continue;
      }
      const where = `${file}:${part.line}`;
      const [keyword, ...rest] = part.body.split(/\s+/);
      const args = part.body.slice(keyword.length).trim();
      if (terminators.includes(keyword) && (keyword !== 'else' || rest.length === 0)) return { nodes, end: keyword };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        const value = parsePipeline(tokenize(args, where), where);
        const then = block(['else', 'end']);
        const otherwise = then.end === 'else' ? block(['end']).nodes : [];
        nodes.push(
          keyword === 'if'
            ? { kind: 'if', cond: value, then: then.nodes, else: otherwise }
            : { kind: keyword, value, then: then.nodes, else: otherwise },
        );
      } else if (keyword === 'define') {
        const name = JSON.parse(args) as string;
        defines.set(name, block(['end']).nodes);
      } else if (keyword === 'else' || keyword === 'end') {
        throw new Error(`${where}: unexpected ${part.body}`);
      } else {
        nodes.push({ kind: 'action', pipeline: parsePipeline(tokenize(part.body, where), where) });
      }
    }
    if (terminators.length > 0) throw new Error(`${file}: missing {{ end }}`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

// --- evaluation ---------------------------------------------------------------------------------

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function printed(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${where}: a map or list printed without toYaml`);
}

const indentLines = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');

class Renderer {
  constructor(
    private readonly defines: Map<string, Node[]>,
    private readonly where: string,
  ) {}

  render(nodes: Node[], dot: unknown, root: unknown): string {
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'action':
          out += printed(this.pipeline(node.pipeline, dot, root), this.where);
          break;
        case 'if':
          out += this.render(truthy(this.pipeline(node.cond, dot, root)) ? node.then : node.else, dot, root);
          break;
        case 'with': {
          const value = this.pipeline(node.value, dot, root);
          out += truthy(value) ? this.render(node.then, value, root) : this.render(node.else, dot, root);
          break;
        }
        case 'range': {
          const value = this.pipeline(node.value, dot, root);
          const items = Array.isArray(value)
            ? value
            : value && typeof value === 'object'
              ? Object.keys(value)
                  .sort()
                  .map((k) => (value as Record<string, unknown>)[k])
              : [];
          if (items.length === 0) out += this.render(node.else, dot, root);
          for (const item of items) out += this.render(node.then, item, root);
          break;
        }
      }
    }
    return out;
  }

  private pipeline(pipeline: Pipeline, dot: unknown, root: unknown): unknown {
    let previous: unknown[] = [];
    for (const command of pipeline) previous = [this.command(command, previous, dot, root)];
    return previous[0];
  }

  private command(command: Command, piped: unknown[], dot: unknown, root: unknown): unknown {
    const [head, ...rest] = command;
    if (head.kind !== 'call') {
      if (rest.length > 0 || piped.length > 0) throw new Error(`${this.where}: a value cannot take arguments`);
      return this.operand(head, dot, root);
    }
    const args = [...rest.map((o) => this.operand(o, dot, root)), ...piped];
    switch (head.name) {
      case 'include': {
        const body = this.defines.get(args[0] as string);
        if (!body) throw new Error(`${this.where}: no template "${String(args[0])}" is defined`);
        return this.render(body, args[1], args[1]);
      }
      case 'toYaml':
        // As Go's YAML encoder writes it: keys sorted, list items not indented under their key.
        return toYamlText(args[0] ?? null, { sortMapEntries: true, indentSeq: false }).trimEnd();
      case 'nindent':
        return `\n${indentLines(printed(args[1], this.where), args[0] as number)}`;
      case 'indent':
        return indentLines(printed(args[1], this.where), args[0] as number);
      case 'quote':
        return JSON.stringify(printed(args[0], this.where));
      case 'default':
        return truthy(args[1]) ? args[1] : args[0];
      default:
        throw new Error(`${this.where}: unknown function ${head.name}`);
    }
  }

  private operand(operand: Operand, dot: unknown, root: unknown): unknown {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'sub':
        return this.pipeline(operand.pipeline, dot, root);
      case 'call':
        throw new Error(`${this.where}: ${operand.name} used as a value`);
      case 'field': {
        let value: unknown = operand.from === 'root' ? root : dot;
        operand.path.forEach((key, i) => {
          if (value === null || value === undefined || typeof value !== 'object') {
            // Helm fails the same way: a field of nothing is a mistake in the chart or its values.
            throw new Error(`${this.where}: nil pointer evaluating .${operand.path.slice(0, i + 1).join('.')}`);
          }
          value = (value as Record<string, unknown>)[key];
        });
        return value;
      }
    }
  }
}

export type KubernetesObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

export interface RenderedChart {
  /** Rendered text by template file name. */
  files: Map<string, string>;
  /** Every Kubernetes object, from every template, in file order, with the template it came from. */
  objects: Array<{ source: string; object: KubernetesObject }>;
}

/** Renders every template of the chart with its values.yaml merged with `overrides` (objects merged deeply). */
export function renderChart(
  chartDir: string,
  overrides: Record<string, unknown> = {},
  releaseName = 'keel',
): RenderedChart {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, string>;
  const values = deepMerge(parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')), overrides);
  const context: RenderContext = {
    Values: values,
    Release: { Name: releaseName, Namespace: 'default', Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const dir = join(chartDir, 'templates');
  const defines = new Map<string, Node[]>();
  const templates = readdirSync(dir).sort();
  for (const name of templates.filter((n) => n.startsWith('_'))) {
    parse(lex(readFileSync(join(dir, name), 'utf8'), name), name, defines);
  }
  const files = new Map<string, string>();
  const objects: RenderedChart['objects'] = [];
  for (const name of templates.filter((n) => !n.startsWith('_'))) {
    const nodes = parse(lex(readFileSync(join(dir, name), 'utf8'), name), name, defines);
    const text = new Renderer(defines, name).render(nodes, context, context);
    files.set(name, text);
    if (!name.endsWith('.yaml')) continue;
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0)
        throw new Error(`${name}: rendered YAML is invalid: ${document.errors[0].message}`);
      const object = document.toJS() as KubernetesObject | null;
      if (object) objects.push({ source: name, object });
    }
  }
  return { files, objects };
}

function deepMerge(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides === undefined ? base : overrides;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) merged[key] = deepMerge(base[key], value);
  return merged;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every `.Values.…` / `$.Values.…` path the chart's templates read, with where. */
export function valuesPathsUsed(chartDir: string): Array<{ path: string[]; file: string }> {
  const dir = join(chartDir, 'templates');
  const used: Array<{ path: string[]; file: string }> = [];
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(/\$?\.Values((?:\.[A-Za-z0-9_]+)+)/g)) {
      used.push({ path: match[1].slice(1).split('.'), file });
    }
  }
  return used;
}
