import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.loader';
import { envSchema } from './env.schema';

const EXAMPLE = join(__dirname, '../../.env.example');

describe('.env.example', () => {
  const documented = readFileSync(EXAMPLE, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => Boolean(name));

  it('documents every variable the schema reads, and nothing else', () => {
    expect([...documented].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('is a valid configuration as written', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keel-env-example-'));
    try {
      expect(loadConfig({ env: { DATA_DIR: dataDir }, envFile: EXAMPLE }).database.driver).toBe('sqlite');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
