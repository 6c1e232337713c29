import { ApiException } from '../../common/errors/api.exception';
import { RunnerErrors } from '../runners/runner.errors';

/** Dify's Service API errors, with its exact codes and messages (SDKs show them to users). */
export const ServiceApiErrors = {
  missingBearer: () =>
    new ApiException(401, 'unauthorized', "Authorization header must be provided and start with 'Bearer'"),
  wrongScheme: () => new ApiException(401, 'unauthorized', "Authorization scheme must be 'Bearer'"),
  invalidToken: () => new ApiException(401, 'unauthorized', 'Access token is invalid'),
  appNotFound: () => new ApiException(403, 'app_not_found', 'The app no longer exists.'),
  appAbnormal: () => new ApiException(403, 'app_abnormal_status', "The app's status is abnormal."),
  apiDisabled: () => new ApiException(403, 'app_api_disabled', "The app's API service has been disabled."),
  workspaceArchived: () => new ApiException(403, 'workspace_archived', 'The workspace has been archived.'),
  userRequired: () => new ApiException(400, 'invalid_param', 'Arg user must be provided.'),
  notChatApp: () =>
    new ApiException(400, 'not_chat_app', 'Please check if your Chat app mode matches the right API route.'),
  appUnavailable: RunnerErrors.appUnavailable,
  conversationNotFound: () => new ApiException(404, 'not_found', 'Conversation Not Exists.'),
  upstreamFailed: RunnerErrors.upstreamFailed,
  rateLimited: (message: string, retryAfterSeconds: number) =>
    new ApiException(429, 'rate_limit_error', message, { headers: { 'Retry-After': String(retryAfterSeconds) } }),
};
