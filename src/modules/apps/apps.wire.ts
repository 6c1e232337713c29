import type { Conversation } from '../conversations/conversation.entity';
import type { Message } from '../conversations/message.entity';
import { unixSeconds } from '../../common/http/unix-seconds';
import type { AppApiKey } from './app-api-key.entity';
import { maskedAppKey } from './app-api-key.token';
import type { App } from './app.entity';

/** An app as Dify's console shows it; timestamps in Unix seconds. */
export function appOf(app: App) {
  return {
    id: app.id,
    name: app.name,
    mode: app.mode,
    // The app's model id on the OpenAI-compatible API.
    model_id: app.slug,
    description: app.description,
    icon_type: app.iconType,
    icon: app.icon,
    icon_background: app.iconBackground,
    enable_api: app.enableApi,
    api_rpm: app.apiRpm,
    api_max_active_requests: app.apiMaxActiveRequests,
    model_config: app.modelConfig ?? null,
    created_at: unixSeconds(app.createdAt),
    updated_at: unixSeconds(app.updatedAt),
  };
}

/** A key as listed (masked), or with the whole key in `token` right after creation. */
export function apiKeyOf(key: AppApiKey, wholeToken?: string) {
  return {
    id: key.id,
    type: 'app',
    token: wholeToken ?? maskedAppKey(key.tokenTail),
    last_used_at: unixSeconds(key.lastUsedAt),
    created_at: unixSeconds(key.createdAt),
  };
}

export function conversationLogOf(conversation: Conversation, sessionId: string | null, messageCount: number) {
  return {
    id: conversation.id,
    name: conversation.name,
    status: conversation.status,
    from_end_user_session_id: sessionId,
    message_count: messageCount,
    created_at: unixSeconds(conversation.createdAt),
    updated_at: unixSeconds(conversation.updatedAt),
  };
}

export function messageLogOf(message: Message) {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    query: message.query,
    answer: message.answer,
    status: message.status,
    error: message.error,
    message_tokens: message.messageTokens,
    answer_tokens: message.answerTokens,
    total_price: message.totalPrice,
    currency: message.currency,
    /** Seconds, as Dify reports it. */
    latency: message.latencyMs / 1000,
    created_at: unixSeconds(message.createdAt),
  };
}
