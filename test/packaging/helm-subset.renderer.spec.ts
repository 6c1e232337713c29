import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderChart } from './helm-subset.renderer';

/** The renderer itself, on small charts whose Helm output is known: it must be right before it judges the real chart. */
describe('the Helm template subset renderer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keel-chart-'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const render = (template: string, values: string, overrides: Record<string, unknown> = {}, helpers = '') => {
    writeFileSync(join(dir, 'values.yaml'), values);
    writeFileSync(join(dir, 'templates', 'one.yaml'), template);
    writeFileSync(join(dir, 'templates', '_helpers.tpl'), helpers);
    return renderChart(dir, overrides, 'rel').files.get('one.yaml');
  };

  it('looks values up, trims whitespace on the side of the dash, and prints nothing for a missing leaf', () => {
    expect(render('a: {{ .Values.x.y }}\nb: {{- " t" }}\nc: [{{ .Values.none -}} ]\n', 'x: {y: 1}\n')).toBe(
      'a: 1\nb: t\nc: []\n',
    );
  });

  it('quotes, defaults, indents and renders YAML like Helm', () => {
    const out = render(
      'n: {{ default "d" .Values.empty | quote }}\nm: {{ .Values.v | default 3 }}\nobj:\n  {{- toYaml .Values.o | nindent 2 }}\n',
      'empty: ""\nv: 0\no: {b: [1, 2], a: "x"}\n',
    );
    expect(out).toBe('n: "d"\nm: 3\nobj:\n  a: x\n  b:\n  - 1\n  - 2\n');
  });

  it('runs if/else, with (rebinding the dot) and range over lists and maps, with $ as the root', () => {
    const template = [
      '{{- if .Values.on }}on{{ else }}off{{ end }}',
      '{{ with .Values.w }}{{ .k }}{{ else }}none{{ end }}',
      '{{ range .Values.l }}[{{ .n }}/{{ $.Release.Name }}]{{ end }}',
      '{{ range .Values.m }}<{{ . }}>{{ end }}',
      '{{ range .Values.nothing }}x{{ else }}empty{{ end }}',
    ].join('\n');
    expect(render(template, 'on: false\nw: {k: v}\nl: [{n: 1}, {n: 2}]\nm: {b: 2, a: 1}\nnothing: []\n')).toBe(
      'off\nv\n[1/rel][2/rel]\n<1><2>\nempty',
    );
  });

  it('includes defined templates with the context given, and nests parenthesised calls', () => {
    const helpers =
      '{{- define "demo.name" -}}{{ default .Release.Name .Values.override }}-{{ .Chart.AppVersion }}{{- end -}}';
    expect(
      render(
        'name: {{ include "demo.name" . }}\nq: {{ default (include "demo.name" .) .Values.sa | quote }}\n',
        'override: ""\nsa: ""\n',
        {},
        helpers,
      ),
    ).toBe('name: rel-4.5\nq: "rel-4.5"\n');
  });

  it('refuses what is outside the subset, a field of nothing, and a map printed raw', () => {
    expect(() => render('{{ .Values.a | upper }}', 'a: x\n')).toThrow('"upper" is outside the template subset');
    expect(() => render('{{ .Values.missing.deeper }}', 'a: x\n')).toThrow(
      'nil pointer evaluating .Values.missing.deeper',
    );
    expect(() => render('{{ .Values.o }}', 'o: {a: 1}\n')).toThrow('a map or list printed without toYaml');
    expect(() => render('{{ if .Values.a }}x', 'a: 1\n')).toThrow('missing {{ end }}');
  });
});
