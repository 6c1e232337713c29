import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSections, renderConfigReference } from './config-reference';
import { envSchema } from './env.schema';

const ROOT = join(__dirname, '..', '..');
const sections = configSections(envSchema, readFileSync(join(ROOT, '.env.example'), 'utf8'));
const variables = sections.flatMap((s) => s.variables);
const byName = (name: string) => variables.find((v) => v.name === name);

describe('the configuration reference (docs/configuration.md)', () => {
  it('is the one npm run docs:config generates from the schema now (run it after changing a variable)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8')).toBe(renderConfigReference(sections));
  });

  it('lists every variable once, each with an explanation', () => {
    expect(variables.map((v) => v.name).sort()).toEqual(Object.keys(envSchema.shape).sort());
    expect(variables.filter((v) => v.description === '').map((v) => v.name)).toEqual([]);
  });

  it('takes what a variable accepts and its default from the schema', () => {
    expect(byName('PORT')).toMatchObject({ format: 'integer, 1–65535', defaultValue: '5001' });
    expect(byName('STORAGE_DRIVER')).toMatchObject({ format: 'local | s3 | azure-blob | gcs', defaultValue: 'local' });
    expect(byName('DB_SSL')).toMatchObject({ defaultValue: 'false' });
    expect(byName('SECRET_KEY')).toMatchObject({ format: 'string', defaultValue: undefined });
    expect(byName('REDIS_PORT')?.description).toBe('See `REDIS_HOST`.');
  });

  it('escapes the table separator inside cells', () => {
    const markdown = renderConfigReference([
      { title: 'T', variables: [{ name: 'X', format: 'a | b', defaultValue: undefined, description: 'c | d' }] },
    ]);
    expect(markdown).toContain('| `X` | a \\| b | — | c \\| d |');
  });
});
