import { z } from 'zod';
import { BUILTIN_TOOL_TAGS } from './builtin-tool-provider';

/**
 * The YAML formats of built-in providers and tools, as Dify writes them
 * (`api/core/tools/builtin_tool/providers/<name>/<name>.yaml` and `tools/<tool>.yaml`). Objects
 * are strict: a misspelt key (`llm_desciption`) is an error at boot, not a silently missing field.
 */

const i18nText = z.object({ en_US: z.string().min(1) }).catchall(z.string());

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case: a lowercase letter, then lowercase letters, digits or _');

const option = z.strictObject({
  // Dify turns option values into strings (`ToolParameterOption.transform_id_to_str`).
  value: scalar.transform(String),
  label: i18nText,
});

const toolParameter = z
  .strictObject({
    name: identifier,
    type: z.enum(['string', 'number', 'boolean', 'select', 'secret-input', 'file']),
    required: z.boolean().default(false),
    label: i18nText,
    human_description: i18nText.optional(),
    llm_description: z.string().min(1).optional(),
    placeholder: i18nText.optional(),
    form: z.enum(['schema', 'form', 'llm']),
    default: scalar.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    options: z.array(option).optional(),
  })
  .superRefine((parameter, ctx) => {
    if (parameter.type === 'select' && !parameter.options?.length) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select parameter needs at least one option' });
    }
    if (
      parameter.type === 'select' &&
      parameter.default !== undefined &&
      parameter.options?.length &&
      !parameter.options.some((o) => o.value === String(parameter.default))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `"${String(parameter.default)}" is not one of its options`,
      });
    }
    if (parameter.type === 'number' && parameter.default !== undefined && typeof parameter.default !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'a number parameter needs a number default' });
    }
    if (parameter.form === 'llm' && !parameter.llm_description) {
      ctx.addIssue({
        code: 'custom',
        path: ['llm_description'],
        message: 'required for a parameter the model fills (form: llm): it is all the model reads about it',
      });
    }
  });

export const toolDefinitionSchema = z
  .strictObject({
    identity: z.strictObject({
      name: identifier,
      author: z.string().min(1),
      label: i18nText,
      icon: z.string().optional(),
    }),
    description: z.strictObject({ human: i18nText, llm: z.string().min(1) }),
    parameters: z.array(toolParameter).default([]),
  })
  .superRefine((tool, ctx) => {
    const seen = new Set<string>();
    tool.parameters.forEach((parameter, index) => {
      if (seen.has(parameter.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', index, 'name'],
          message: `"${parameter.name}" is defined twice`,
        });
      }
      seen.add(parameter.name);
    });
  });

const credentialField = z.strictObject({
  type: z.enum(['secret-input', 'text-input', 'select', 'boolean']),
  required: z.boolean().default(false),
  label: i18nText,
  default: scalar.optional(),
  placeholder: i18nText.optional(),
  help: i18nText.optional(),
  url: z.string().optional(),
  options: z.array(option).optional(),
});

export const providerDefinitionSchema = z.strictObject({
  identity: z.strictObject({
    author: z.string().min(1),
    name: identifier,
    label: i18nText,
    description: i18nText,
    icon: z.string().regex(/^[\w.-]+\.svg$/, 'must name an SVG file beside the YAML, like icon.svg'),
    tags: z.array(z.enum(BUILTIN_TOOL_TAGS)).default([]),
  }),
  // Dify writes `credentials_for_provider: {}` (or nothing) for a provider without credentials.
  credentials_for_provider: z.record(identifier, credentialField).nullish(),
});

export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;
export type ToolParameterDefinition = ToolDefinition['parameters'][number];
export type ProviderDefinition = z.infer<typeof providerDefinitionSchema>;
