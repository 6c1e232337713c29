import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, type SourceFile } from '@keel/plugin-package';
import { definePlugin } from '../plugin';
import { defineEndpoint, defineTool, defineToolProvider } from '../define';
import type { PluginDescription } from '../protocol';
import { compareDeclarations } from './declarations-check';
import { init, skeleton } from './init';

describe('compareDeclarations (YAML against code)', () => {
  const files = (overrides: Record<string, string> = {}): SourceFile[] =>
    Object.entries({ ...skeleton({ name: 'demo', author: 'a', cwd: '.' }), ...overrides }).map(([path, text]) => ({
      path,
      bytes: Buffer.from(text),
    }));
  const manifest = (sources: SourceFile[]) =>
    parseManifest(sources.find((f) => f.path === 'manifest.yaml')!.bytes.toString());

  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'keel-declarations-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function skeletonDescription(): Promise<PluginDescription> {
    await init({ name: 'demo', author: 'a', cwd: dir });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const plugin = require(join(dir, 'demo', 'main.js')) as ReturnType<typeof definePlugin>;
    return plugin.describe();
  }

  it("finds nothing to say about init's skeleton: its YAML and main.js agree", async () => {
    const sources = files();
    expect(compareDeclarations(manifest(sources), sources, await skeletonDescription())).toEqual([]);
  });

  it('names parameters, tools and providers that differ', () => {
    const sources = files();
    const code = definePlugin({
      tools: [
        defineToolProvider({
          name: 'demo',
          tools: [
            defineTool({
              name: 'echo',
              parameters: [
                { name: 'text', type: 'string', required: false, form: 'llm' },
                { name: 'times', type: 'string', default: '1', form: 'llm' },
                { name: 'loud', type: 'boolean' },
              ],
              invoke: () => undefined,
            }),
            defineTool({ name: 'extra', invoke: () => undefined }),
          ],
        }),
        defineToolProvider({ name: 'other', tools: [] }),
      ],
      endpoints: [defineEndpoint({ method: 'GET', path: '/x', handler: () => '' })],
    }).describe();
    expect(compareDeclarations(manifest(sources), sources, code)).toEqual([
      'tool provider(s) "other" registered by the code but not declared in YAML',
      'provider "demo": tool(s) "extra" registered by the code but not declared in YAML',
      'tool "echo": parameter(s) "loud" registered by the code but not declared in YAML',
      'tool "echo", parameter "text": required is true in YAML but false in the code',
      'tool "echo", parameter "times": type is "number" in YAML but "string" in the code',
      'tool "echo", parameter "times": default is 1 in YAML but "1" in the code',
      'tool "echo", parameter "times": min is 1 in YAML but not set in the code',
      'tool "echo", parameter "times": max is 10 in YAML but not set in the code',
      'endpoint(s) "GET /x" registered by the code but not declared in YAML',
    ]);
  });

  it('treats <name> and :name endpoint parameters as the same path', () => {
    const sources = files({
      'manifest.yaml': skeleton({ name: 'demo', author: 'a', cwd: '.' })['manifest.yaml'].replace(
        '  tools:\n    - provider/demo.yaml\n',
        '  tools:\n    - provider/demo.yaml\n  endpoints:\n    - group.yaml\n',
      ),
      'group.yaml': 'endpoints:\n  - e.yaml\n',
      'e.yaml': 'path: /items/<int:id>\nmethod: get\n',
    });
    const code = definePlugin({
      tools: [defineToolProvider({ name: 'demo', tools: [] })],
      endpoints: [defineEndpoint({ method: 'GET', path: '/items/:id', handler: () => '' })],
    }).describe();
    const warnings = compareDeclarations(manifest(sources), sources, code);
    expect(warnings.filter((w) => w.startsWith('endpoint'))).toEqual([]);
    expect(warnings).toEqual(['provider "demo": tool(s) "echo" declared in YAML but not registered by the code']);
  });
});
