import { unixSeconds } from '../../common/http/unix-seconds';
import type { ApiToolProvider } from './api-tool-provider.entity';
import type { ApiToolBundle } from './api/api-tool-bundle';
import { toLlmParametersSchema } from './llm-parameters-schema';
import type { SharedToolProvider } from './tool-provider';
import type { I18nText, ToolDescription } from './tool.types';

const same = (text: string): I18nText => ({ en_US: text, zh_Hans: text });

/** A tool as the console lists it (Dify's `UserTool`). */
export function userToolOf(tool: ToolDescription, author: string, labels: string[]) {
  return {
    author,
    name: tool.name,
    label: tool.label,
    description: tool.description.human,
    parameters: tool.parameters,
    // The same JSON Schema the model is given (Keel's addition to Dify's shape).
    parameters_json_schema: toLlmParametersSchema(tool.parameters),
    labels,
    output_schema: {},
  };
}

/** An API tool (an operation of the provider's schema) as the console lists it. */
export function apiUserToolOf(bundle: ApiToolBundle, author: string, labels: string[]) {
  return {
    author,
    name: bundle.operation_id,
    label: same(bundle.operation_id),
    description: same(bundle.summary ?? ''),
    parameters: bundle.parameters,
    parameters_json_schema: toLlmParametersSchema(bundle.parameters),
    labels,
    output_schema: {},
  };
}

/** A built-in or plugin provider in the console's provider list (Dify's `UserToolProvider`). */
export function sharedProviderOf(provider: SharedToolProvider) {
  return {
    id: provider.name,
    author: provider.author,
    name: provider.name,
    plugin_id: null,
    plugin_unique_identifier: null,
    description: provider.description,
    icon: provider.icon,
    label: provider.label,
    type: provider.type,
    team_credentials: {},
    // None of Keel's built-in tools needs credentials: they are ready for every workspace.
    is_team_authorization: true,
    allow_delete: false,
    tools: provider.tools.map((tool) => userToolOf(tool, provider.author, provider.tags)),
    labels: provider.tags,
  };
}

/** A workspace's API provider in the console's provider list. */
export function apiProviderOf(provider: ApiToolProvider, author: string) {
  return {
    id: provider.id,
    author,
    name: provider.name,
    plugin_id: null,
    plugin_unique_identifier: null,
    description: same(provider.description),
    icon: provider.icon,
    label: same(provider.name),
    type: 'api',
    team_credentials: {},
    is_team_authorization: true,
    allow_delete: true,
    tools: (provider.tools as ApiToolBundle[]).map((bundle) => apiUserToolOf(bundle, author, provider.labels)),
    labels: provider.labels,
    created_at: unixSeconds(provider.createdAt),
    updated_at: unixSeconds(provider.updatedAt),
  };
}

/** `GET …/tool-provider/api/get`: the provider as it was saved, credentials masked. */
export function apiProviderDetailOf(provider: ApiToolProvider, maskedCredentials: Record<string, unknown>) {
  return {
    schema_type: provider.schemaType,
    schema: provider.schema,
    tools: provider.tools,
    icon: provider.icon,
    description: provider.description,
    credentials: maskedCredentials,
    privacy_policy: provider.privacyPolicy,
    custom_disclaimer: provider.customDisclaimer,
    labels: provider.labels,
  };
}
