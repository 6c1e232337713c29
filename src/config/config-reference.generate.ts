/** `npm run docs:config`: writes docs/configuration.md from the configuration schema (a spec fails when it is stale). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSections, renderConfigReference } from './config-reference';
import { envSchema } from './env.schema';

const root = join(__dirname, '..', '..');
const markdown = renderConfigReference(configSections(envSchema, readFileSync(join(root, '.env.example'), 'utf8')));
writeFileSync(join(root, 'docs', 'configuration.md'), markdown);
process.stdout.write('wrote docs/configuration.md\n');
