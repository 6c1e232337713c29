import type { CancelSignal } from '../../common/lifecycle/cancel-signal';

/** Text in several languages, Dify's shape: `en_US` always, others (`zh_Hans`, …) when given. */
export interface I18nText {
  en_US: string;
  [language: string]: string;
}

export type ToolParameterType = 'string' | 'number' | 'boolean' | 'select' | 'secret-input' | 'file';

/**
 * A tool parameter as Dify defines it (reference §4). `form` says who fills it: `llm` — the model,
 * at call time; `form` — the app's configuration; `schema` — an API tool's schema parameter, which the
 * model fills as well.
 */
export interface ToolParameter {
  name: string;
  type: ToolParameterType;
  required: boolean;
  label: I18nText;
  human_description?: I18nText;
  /** What the model reads about this parameter. */
  llm_description?: string;
  form: 'schema' | 'form' | 'llm';
  default?: unknown;
  options?: Array<{ value: string; label: I18nText }>;
}

/** What a tool returns (reference §4 message types); binary results become stored files. */
export type ToolMessage =
  | { type: 'text'; text: string }
  | { type: 'json'; json: unknown }
  | { type: 'link' | 'image' | 'image_link' | 'binary_link'; url: string }
  | { type: 'blob'; blob: Buffer; mimeType: string; filename?: string }
  | { type: 'file'; fileId: string; mimeType: string; filename: string; url: string };

/** Who is calling a tool, and how to stop it. */
export interface ToolContext {
  workspaceId: string;
  /** The app whose turn calls the tool (absent for the console's test calls). */
  appId?: string;
  /** The account or end user on whose behalf the tool runs. */
  userId?: string;
  signal?: CancelSignal;
}

/** A tool's description: what the console lists and what the model is told. */
export interface ToolDescription {
  name: string;
  label: I18nText;
  description: { human: I18nText; llm: string };
  parameters: ToolParameter[];
}

/**
 * A tool ready to run. `params` are the model's arguments merged over the app's form values;
 * failures throw `ToolError` (the agent turns them into an observation).
 */
export interface Tool extends ToolDescription {
  invoke(params: Record<string, unknown>, context: ToolContext): Promise<ToolMessage[]>;
}

/** An error a tool reports about its call (bad arguments, an HTTP error status, a timeout). */
export class ToolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
  }
}
