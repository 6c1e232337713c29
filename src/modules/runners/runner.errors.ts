import { ApiException } from '../../common/errors/api.exception';
import type { UpstreamError } from '../providers/upstream.error';

/**
 * Why an app cannot run, with Dify's codes and messages (its SDKs show them). Every API face
 * answers these as they are, in its own envelope.
 */
export const RunnerErrors = {
  appUnavailable: () =>
    new ApiException(400, 'app_unavailable', 'App unavailable, please check your app configurations.'),
  providerNotInitialized: (provider: string) =>
    new ApiException(
      400,
      'provider_not_initialize',
      `No valid model provider credentials found for "${provider}". Please go to Settings -> Model Provider to complete your provider credentials.`,
    ),
  /** Dify answers a failed model call with 400 and the failure's code (side generations always do). */
  upstreamFailed: (failure: UpstreamError) => new ApiException(400, failure.difyCode, failure.message),
};
