import type { I18nText, ToolParameter } from '../tool.types';
import type { ParsedApiSchema } from './api-schema.parser';
import type { ApiSchemaType, ApiToolBundle, BundleOperation } from './api-tool-bundle';

/** Dify's serialised `I18nObject`: every language it knows, the missing ones filled from `en_US`. */
export interface WireI18n {
  en_US: string;
  zh_Hans: string;
  pt_BR: string;
  ja_JP: string;
}

/** A tool parameter as Dify serialises its `ToolParameter` model (every field, unset ones `null`). */
export interface WireToolParameter {
  name: string;
  label: WireI18n;
  placeholder: WireI18n | null;
  scope: string | null;
  auto_generate: null;
  template: null;
  required: boolean;
  default: string | number | boolean | null;
  min: number | null;
  max: number | null;
  precision: number | null;
  options: Array<{ value: string; label: WireI18n }>;
  type: ToolParameter['type'];
  human_description: WireI18n | null;
  form: ToolParameter['form'];
  llm_description: string | null;
  input_schema: null;
}

/** An `ApiToolBundle` as Dify serialises it. */
export interface WireApiToolBundle {
  server_url: string;
  method: string;
  summary: string | null;
  operation_id: string;
  parameters: WireToolParameter[];
  author: string;
  icon: string | null;
  openapi: BundleOperation;
  output_schema: Record<string, never>;
}

/** One field of a provider's credentials form as Dify serialises its `ProviderConfig`. */
export interface WireProviderConfig {
  type: 'select' | 'text-input' | 'secret-input';
  name: string;
  scope: null;
  required: boolean;
  default: string | null;
  options: Array<{ value: string; label: WireI18n }> | null;
  label: WireI18n | null;
  help: WireI18n | null;
  url: null;
  placeholder: WireI18n | null;
}

/** The body of `POST /console/api/workspaces/current/tool-provider/api/schema`. */
export interface ApiSchemaPreview {
  schema_type: ApiSchemaType;
  parameters_schema: WireApiToolBundle[];
  credentials_schema: WireProviderConfig[];
  warning: Record<string, string>;
}

function i18n(en_US: string, zh_Hans?: string): WireI18n {
  return { en_US, zh_Hans: zh_Hans || en_US, pt_BR: en_US, ja_JP: en_US };
}

/**
 * The credentials form Dify's preview returns — always this fixed list, whatever the schema (the
 * console renders its own form for `api_key_header` / `api_key_query`; this is kept for clients that
 * read it).
 */
export const API_SCHEMA_PREVIEW_CREDENTIALS_SCHEMA: readonly WireProviderConfig[] = Object.freeze([
  {
    type: 'select',
    name: 'auth_type',
    scope: null,
    required: true,
    default: 'none',
    options: [
      { value: 'none', label: i18n('None', '无') },
      { value: 'api_key', label: i18n('Api Key') },
    ],
    label: null,
    help: null,
    url: null,
    placeholder: i18n('Select auth type', '选择认证方式'),
  },
  {
    type: 'text-input',
    name: 'api_key_header',
    scope: null,
    required: false,
    default: 'api_key',
    options: null,
    label: null,
    help: i18n('HTTP header name for api key', 'HTTP 头部字段名，用于传递 api key'),
    url: null,
    placeholder: i18n('Enter api key header', '输入 api key header，如：X-API-KEY'),
  },
  {
    type: 'text-input',
    name: 'api_key_value',
    scope: null,
    required: false,
    default: '',
    options: null,
    label: null,
    help: null,
    url: null,
    placeholder: i18n('Enter api key'),
  },
]);

function wireText(text: I18nText | undefined): WireI18n | null {
  return text ? i18n(text.en_US, text.zh_Hans) : null;
}

export function toWireToolParameter(parameter: ToolParameter): WireToolParameter {
  const fallback = parameter.default;
  return {
    name: parameter.name,
    label: i18n(parameter.label.en_US, parameter.label.zh_Hans),
    placeholder: null,
    scope: null,
    auto_generate: null,
    template: null,
    required: parameter.required,
    default:
      typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean' ? fallback : null,
    min: null,
    max: null,
    precision: null,
    options: (parameter.options ?? []).map((option) => ({
      value: option.value,
      label: i18n(option.label.en_US, option.label.zh_Hans),
    })),
    type: parameter.type,
    human_description: wireText(parameter.human_description),
    form: parameter.form,
    llm_description: parameter.llm_description ?? null,
    input_schema: null,
  };
}

export function toWireApiToolBundle(bundle: ApiToolBundle): WireApiToolBundle {
  return {
    server_url: bundle.server_url,
    method: bundle.method,
    summary: bundle.summary,
    operation_id: bundle.operation_id,
    parameters: bundle.parameters.map(toWireToolParameter),
    author: bundle.author,
    icon: bundle.icon,
    openapi: bundle.openapi,
    output_schema: {},
  };
}

/** What the console's schema preview answers for a parsed schema (Dify's `parser_api_schema`). */
export function toApiSchemaPreview(parsed: ParsedApiSchema): ApiSchemaPreview {
  return {
    schema_type: parsed.schema_type,
    parameters_schema: parsed.bundles.map(toWireApiToolBundle),
    credentials_schema: API_SCHEMA_PREVIEW_CREDENTIALS_SCHEMA.map((field) => ({ ...field })),
    warning: { ...parsed.warnings },
  };
}
