import type { I18nText, Tool } from './tool.types';

export type ToolProviderType = 'builtin' | 'api' | 'plugin';

/**
 * A provider whose tools are the same in every workspace: a built-in one, or one a plugin
 * registers at run time. (API providers belong to a workspace and live in the database.)
 */
export interface SharedToolProvider {
  type: 'builtin' | 'plugin';
  /** Unique among providers of its type. */
  name: string;
  author: string;
  label: I18nText;
  description: I18nText;
  /** A URL or a data URL. */
  icon: string;
  tags: string[];
  tools: Tool[];
}
