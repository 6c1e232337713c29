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
  /** Where the console fetches the icon (a URL, or Dify's icon route for built-in providers). */
  icon: string;
  /** The icon itself, for providers whose icon Keel serves. */
  iconFile?: { mimeType: string; content: string };
  tags: string[];
  tools: Tool[];
}
