import type { GuardedHttp } from '../../../common/ssrf/guarded-http';
import type { I18nText, Tool, ToolContext, ToolMessage } from '../tool.types';

/** Dify's tool labels (`ToolLabelEnum`): the tags a built-in provider may carry. */
export const BUILTIN_TOOL_TAGS = [
  'search',
  'image',
  'videos',
  'weather',
  'finance',
  'design',
  'travel',
  'social',
  'news',
  'medical',
  'productivity',
  'education',
  'business',
  'entertainment',
  'utilities',
  'other',
] as const;
export type BuiltinToolTag = (typeof BUILTIN_TOOL_TAGS)[number];

/** A provider's `identity` block, as Dify's provider YAML has it. */
export interface BuiltinProviderIdentity {
  author: string;
  name: string;
  label: I18nText;
  description: I18nText;
  /** The icon's file name beside the YAML (Dify's shape); its content is `BuiltinToolProvider.icon`. */
  icon: string;
  tags: BuiltinToolTag[];
}

/** One entry of `credentials_for_provider` (Dify's `ProviderConfig`), its map key as `name`. */
export interface BuiltinCredentialField {
  name: string;
  type: 'secret-input' | 'text-input' | 'select' | 'boolean';
  required: boolean;
  label: I18nText;
  default?: string | number | boolean;
  placeholder?: I18nText;
  help?: I18nText;
  url?: string;
  options?: Array<{ value: string; label: I18nText }>;
}

/** A built-in tool provider: its YAML identity, its icon and its tools, bound to their code. */
export interface BuiltinToolProvider {
  name: string;
  identity: BuiltinProviderIdentity;
  /** The SVG document named by `identity.icon`, embedded in the build. */
  icon: { fileName: string; mimeType: 'image/svg+xml'; content: string };
  /** From `credentials_for_provider`; empty for every provider Keel ships today. */
  credentialsSchema: BuiltinCredentialField[];
  tools: Tool[];
}

/** What built-in tool code may use: outbound HTTP only through the SSRF guard, and a clock. */
export interface BuiltinToolDeps {
  http: GuardedHttp;
  now: () => Date;
}

/**
 * A tool's code. `params` already hold the YAML defaults, required parameters are present, and
 * select/number/boolean values are checked and converted (see `bindTool`).
 */
export type BuiltinToolImplementation = (
  params: Record<string, unknown>,
  context: ToolContext,
) => Promise<ToolMessage[]>;

/** A provider as shipped: its definition files (text, embedded at build time) and tool code. */
export interface BuiltinProviderSource {
  /** The provider YAML's path inside the builtin folder; load errors name it. */
  file: string;
  yaml: string;
  icon: { file: string; svg: string };
  tools: Array<{
    /** The tool's name, which its YAML's `identity.name` must repeat. */
    name: string;
    file: string;
    yaml: string;
    implement: (deps: BuiltinToolDeps) => BuiltinToolImplementation;
  }>;
}
