import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** A plugin's declaration file read from its unpacked directory and checked; an error names the file and the fields. */
export async function readPluginYaml<S extends z.ZodType>(dir: string, file: string, schema: S): Promise<z.output<S>> {
  let document: unknown;
  try {
    document = parseYaml(await readFile(join(dir, file), 'utf8'), { uniqueKeys: true });
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  throw new Error(`${file}: ${problems.join('; ')}`);
}
