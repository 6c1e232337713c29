import { ConsoleAccounts1763900000000 } from './migrations/1763900000000-console-accounts';
import { AccountIntegrations1763950000000 } from './migrations/1763950000000-account-integrations';
import { AppsAndConversations1764000000000 } from './migrations/1764000000000-apps-and-conversations';
import { MessageFeedbacks1764100000000 } from './migrations/1764100000000-message-feedbacks';
import { UploadFiles1764200000000 } from './migrations/1764200000000-upload-files';
import { OpenAiModelIds1764250000000 } from './migrations/1764250000000-openai-model-ids';
import { WorkspaceApiKeys1764300000000 } from './migrations/1764300000000-workspace-api-keys';
import { ToolsAndAgentThoughts1764400000000 } from './migrations/1764400000000-tools-and-agent-thoughts';
import { Plugins1764500000000 } from './migrations/1764500000000-plugins';
import { PluginStorage1764600000000 } from './migrations/1764600000000-plugin-storage';
import { PluginToolCredentials1764700000000 } from './migrations/1764700000000-plugin-tool-credentials';
import { PluginEndpoints1764800000000 } from './migrations/1764800000000-plugin-endpoints';

/**
 * Every migration, oldest first. They must run on SQLite, PostgreSQL and MySQL/MariaDB alike, so
 * they use TypeORM's QueryRunner table API rather than dialect SQL.
 */
export const MIGRATIONS: Function[] = [
  ConsoleAccounts1763900000000,
  AccountIntegrations1763950000000,
  AppsAndConversations1764000000000,
  MessageFeedbacks1764100000000,
  UploadFiles1764200000000,
  OpenAiModelIds1764250000000,
  WorkspaceApiKeys1764300000000,
  ToolsAndAgentThoughts1764400000000,
  Plugins1764500000000,
  PluginStorage1764600000000,
  PluginToolCredentials1764700000000,
  PluginEndpoints1764800000000,
];
