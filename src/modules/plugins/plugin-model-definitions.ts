import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { PluginManifest } from '@keel/plugin-package';
import { readPluginYaml } from './plugin-yaml';

const i18n = z.object({ en_US: z.string().min(1) }).catchall(z.string());

/** A model plugin's provider YAML (Dify's model provider format; the fields Keel uses). */
const providerSchema = z.object({
  provider: z.string().regex(/^[a-z0-9_-]{1,128}$/, 'must be 1-128 characters of a-z, 0-9, _ and -'),
  label: i18n,
  description: i18n.optional(),
  supported_model_types: z.array(z.string()).default(['llm']),
  provider_credential_schema: z
    .object({
      credential_form_schemas: z
        .array(
          z.object({
            variable: z.string().min(1),
            label: i18n,
            type: z.string().default('text-input'),
            required: z.boolean().default(false),
            placeholder: i18n.optional(),
          }),
        )
        .default([]),
    })
    .optional(),
  models: z
    .object({
      llm: z.object({ predefined: z.array(z.string()).default([]) }).optional(),
      text_embedding: z.object({ predefined: z.array(z.string()).default([]) }).optional(),
    })
    .default({}),
});

const modelSchema = z.object({
  model: z.string().min(1),
  label: i18n.optional(),
  model_type: z.string().default('llm'),
  model_properties: z
    .object({ mode: z.string().default('chat') })
    .partial()
    .default({}),
  pricing: z.object({ input: z.coerce.string(), output: z.coerce.string(), currency: z.string() }).partial().optional(),
});

export interface PluginModelProviderDefinition {
  /** The provider's own name (`provider` in its YAML). */
  name: string;
  label: string;
  description: string;
  credentialFields: Array<{ variable: string; label: string; type: string; required: boolean; placeholder?: string }>;
  /** The predefined LLMs, in file order. */
  models: Array<{ model: string; inputPrice: string; outputPrice: string; currency: string }>;
  /** The predefined text-embedding models. */
  embeddingModels: string[];
}

/**
 * The model providers an unpacked plugin declares (`plugins.models`), with their predefined LLMs
 * and text-embedding models (`models.llm.predefined`, `models.text_embedding.predefined`: paths, or
 * `dir/*.yaml` globs); a file that does not hold is an error
 * naming it.
 */
export async function readPluginModelProviders(
  dir: string,
  manifest: PluginManifest,
): Promise<PluginModelProviderDefinition[]> {
  const providers: PluginModelProviderDefinition[] = [];
  for (const file of manifest.plugins.models) {
    const definition = await readPluginYaml(dir, file, providerSchema);
    const models: PluginModelProviderDefinition['models'] = [];
    for (const pattern of definition.models.llm?.predefined ?? []) {
      for (const modelFile of await expand(dir, pattern)) {
        const model = await readPluginYaml(dir, modelFile, modelSchema);
        if (model.model_type !== 'llm') continue;
        models.push({
          model: model.model,
          inputPrice: model.pricing?.input ?? '0',
          outputPrice: model.pricing?.output ?? '0',
          currency: model.pricing?.currency ?? 'USD',
        });
      }
    }
    const embeddingModels: string[] = [];
    for (const pattern of definition.models.text_embedding?.predefined ?? []) {
      for (const modelFile of await expand(dir, pattern)) {
        const model = await readPluginYaml(dir, modelFile, modelSchema);
        if (model.model_type === 'text-embedding') embeddingModels.push(model.model);
      }
    }
    providers.push({
      name: definition.provider,
      embeddingModels,
      label: definition.label.en_US,
      description: definition.description?.en_US ?? definition.label.en_US,
      credentialFields: (definition.provider_credential_schema?.credential_form_schemas ?? []).map((f) => ({
        variable: f.variable,
        label: f.label.en_US,
        type: f.type,
        required: f.required,
        ...(f.placeholder && { placeholder: f.placeholder.en_US }),
      })),
      models,
    });
  }
  return providers;
}

/** `models/llm/*.yaml` → the YAML files in that directory (sorted); a plain path → itself. */
async function expand(dir: string, pattern: string): Promise<string[]> {
  if (!pattern.includes('*')) return [pattern];
  const folder = pattern.slice(0, pattern.lastIndexOf('/'));
  const names = await readdir(join(dir, folder)).catch(() => []);
  return names
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${folder}/${name}`);
}
