import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** Schemas are texts a person pastes or a URL serves; more than this is not an API description. */
export const MAX_SCHEMA_CHARS = 1_000_000;

const schemaText = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(MAX_SCHEMA_CHARS, { error: `must be at most ${MAX_SCHEMA_CHARS} characters` });
/** Dify's schema types; the parser decides what the text really is, this only has to be one of them. */
const schemaType = z.enum(['openapi', 'swagger', 'openai_plugin', 'openai_actions']);
const providerName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((name) => !/[/\\]/.test(name), { error: 'must not contain slashes' });
const credentials = z.record(z.string(), z.unknown());
/** Dify's console sends `{background, content}` for an emoji, or `{content}` with a URL. */
const icon = z.record(z.string(), z.unknown()).or(z.string().max(2_000));
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? '');

export class ParseSchemaDto extends createZodDto(z.object({ schema: schemaText })) {}

export class RemoteSchemaQueryDto extends createZodDto(
  z.object({ url: z.string().trim().min(1).max(2_048).describe('An http(s) URL serving the schema') }),
) {}

export class ProviderQueryDto extends createZodDto(z.object({ provider: providerName })) {}

const providerFields = {
  provider: providerName.describe('The provider name, unique in the workspace'),
  icon,
  credentials: credentials.describe('auth_type none | api_key_header | api_key_query, and its fields'),
  schema_type: schemaType,
  schema: schemaText,
  privacy_policy: optionalText(255),
  custom_disclaimer: optionalText(10_000),
  labels: z
    .array(z.string().max(64))
    .max(20)
    .nullish()
    .transform((v) => v ?? []),
};

export class AddApiProviderDto extends createZodDto(z.object(providerFields)) {}

export class UpdateApiProviderDto extends createZodDto(
  z.object({ ...providerFields, original_provider: providerName.describe('The name it has now') }),
) {}

export class DeleteApiProviderDto extends createZodDto(z.object({ provider: providerName })) {}

export class TestApiToolDto extends createZodDto(
  z.object({
    tool_name: z.string().min(1).max(255).describe('The operation id to run'),
    /** When set, masked credential values are replaced by that saved provider's own. */
    provider_name: z.string().max(64).nullish(),
    credentials,
    parameters: z.record(z.string(), z.unknown()),
    schema_type: schemaType,
    schema: schemaText,
  }),
) {}
