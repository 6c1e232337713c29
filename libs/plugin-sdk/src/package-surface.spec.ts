import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SDK_VERSION } from './version';

/**
 * The runtime is packed into every plugin with nothing beside it, so its modules may import only
 * Node's standard library and each other. (The CLI, in cli/, is bundled separately.)
 */
describe('the runtime package', () => {
  const root = __dirname;
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? (entry.name === 'cli' ? [] : files(join(dir, entry.name))) : [join(dir, entry.name)],
    );
  const runtimeFiles = files(root).filter((file) => file.endsWith('.ts') && !/\.spec(-support)?\.ts$/.test(file));

  it('imports only node: modules and its own files', () => {
    const offenders: string[] = [];
    for (const file of runtimeFiles) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
        const specifier = match[1];
        if (!specifier.startsWith('node:') && !specifier.startsWith('./'))
          offenders.push(`${relative(root, file)}: ${specifier}`);
      }
    }
    expect(runtimeFiles.length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });

  it('reports the version of its package.json', () => {
    const manifest = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(manifest.version);
  });
});
