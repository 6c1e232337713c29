import { unixSeconds } from '../../common/http/unix-seconds';
import type { AppModelConfig } from '../apps/app-model-config';
import type { Conversation } from '../conversations/conversation.entity';
import type { MessageFeedback } from '../conversations/message-feedback.entity';
import type { MessageWithFeedback } from '../conversations/messages.service';

export function conversationOf(conversation: Conversation, introduction: string) {
  return {
    id: conversation.id,
    name: conversation.name,
    inputs: conversation.inputs,
    status: conversation.status,
    introduction,
    created_at: unixSeconds(conversation.createdAt),
    updated_at: unixSeconds(conversation.updatedAt),
  };
}

export function messageOf({ message, feedback, thoughts }: MessageWithFeedback) {
  const files = (message.files ?? []) as { type?: string; url?: string }[];
  return {
    id: message.id,
    conversation_id: message.conversationId,
    parent_message_id: null,
    inputs: message.inputs,
    query: message.query,
    answer: message.answer,
    message_files: files.map((file, i) => ({
      id: `${message.id}-${i}`,
      type: file.type ?? 'image',
      url: file.url ?? null,
      belongs_to: 'user',
    })),
    feedback: feedback ? { rating: feedback.rating } : null,
    retriever_resources: [],
    agent_thoughts: thoughts.map((thought) => ({
      id: thought.id,
      chain_id: null,
      message_id: thought.messageId,
      position: thought.position,
      thought: thought.thought,
      tool: thought.tool,
      tool_labels: thought.toolLabels,
      tool_input: thought.toolInput,
      observation: thought.observation,
      files: thought.files,
      created_at: unixSeconds(thought.createdAt),
    })),
    created_at: unixSeconds(message.createdAt),
    status: message.status === 'error' ? 'error' : 'normal',
    error: message.error,
    message_tokens: message.messageTokens,
    answer_tokens: message.answerTokens,
    provider_response_latency: message.latencyMs / 1000,
    total_price: message.totalPrice,
    currency: message.currency,
  };
}

export function feedbackOf(feedback: MessageFeedback) {
  return {
    id: feedback.id,
    app_id: feedback.appId,
    conversation_id: feedback.conversationId,
    message_id: feedback.messageId,
    rating: feedback.rating,
    content: feedback.content,
    from_source: 'user',
    from_end_user_id: feedback.endUserId,
    from_account_id: null,
    created_at: unixSeconds(feedback.createdAt),
    updated_at: unixSeconds(feedback.updatedAt),
  };
}

/** Upload limits in MB, as Dify reports them in `/parameters`. */
export const SYSTEM_PARAMETERS = {
  file_size_limit: 15,
  image_file_size_limit: 10,
  audio_file_size_limit: 50,
  video_file_size_limit: 100,
  workflow_file_upload_limit: 10,
};

export function parametersOf(config: AppModelConfig) {
  return {
    opening_statement: config.opening_statement,
    suggested_questions: config.suggested_questions,
    suggested_questions_after_answer: config.suggested_questions_after_answer,
    speech_to_text: config.speech_to_text,
    text_to_speech: config.text_to_speech,
    retriever_resource: config.retriever_resource,
    annotation_reply: { enabled: false },
    more_like_this: config.more_like_this,
    sensitive_word_avoidance: { enabled: false },
    user_input_form: config.user_input_form,
    file_upload: config.file_upload,
    system_parameters: SYSTEM_PARAMETERS,
  };
}
