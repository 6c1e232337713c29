import { WorkspaceApiKey } from '../modules/api-keys/workspace-api-key.entity';
import { AppApiKey } from '../modules/apps/app-api-key.entity';
import { App } from '../modules/apps/app.entity';
import { AuditLog } from '../modules/audit/audit-log.entity';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { Setup } from '../modules/auth/setup.entity';
import { Conversation } from '../modules/conversations/conversation.entity';
import { EndUser } from '../modules/conversations/end-user.entity';
import { MessageFeedback } from '../modules/conversations/message-feedback.entity';
import { Message } from '../modules/conversations/message.entity';
import { MessageAgentThought } from '../modules/conversations/message-agent-thought.entity';
import { ApiToolProvider } from '../modules/tools/api-tool-provider.entity';
import { UploadFile } from '../modules/files/upload-file.entity';
import { PluginInstallTask } from '../modules/plugins/plugin-install-task.entity';
import { PluginInstallation } from '../modules/plugins/plugin-installation.entity';
import { PluginPermission } from '../modules/plugins/plugin-permission.entity';
import { PluginStorageEntry } from '../modules/plugins/plugin-storage-entry.entity';
import { PluginToolCredential } from '../modules/plugins/plugin-tool-credential.entity';
import { PluginEndpoint } from '../modules/plugins/plugin-endpoint.entity';
import { PluginVersion } from '../modules/plugins/plugin-version.entity';
import { ProviderCredential } from '../modules/providers/provider-credential.entity';
import { Account } from '../modules/workspaces/account.entity';
import { Invitation } from '../modules/workspaces/invitation.entity';
import { WorkspaceMember } from '../modules/workspaces/workspace-member.entity';
import { Workspace } from '../modules/workspaces/workspace.entity';
import { AccountIntegration } from '../modules/sso/account-integration.entity';

/**
 * Every TypeORM entity of the application. Listed explicitly (not globbed) so the webpack bundle,
 * the migration CLI and the tests see the same schema. Features append their entities here.
 */
export const ENTITIES: Function[] = [
  Setup,
  Account,
  AccountIntegration,
  Workspace,
  WorkspaceMember,
  Invitation,
  RefreshToken,
  AuditLog,
  ProviderCredential,
  App,
  AppApiKey,
  EndUser,
  Conversation,
  Message,
  MessageFeedback,
  UploadFile,
  WorkspaceApiKey,
  ApiToolProvider,
  MessageAgentThought,
  PluginVersion,
  PluginInstallation,
  PluginInstallTask,
  PluginPermission,
  PluginStorageEntry,
  PluginToolCredential,
  PluginEndpoint,
];
