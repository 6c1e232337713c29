import type { Response } from 'express';
import { MetricsService } from '@keel/metrics';
import { SseStream } from '../../common/http/sse.stream';
import type { RunHandle } from '../runners/app.runner';
import type { DifyUsage } from '../runners/usage';
import { OpenAiErrors, streamErrorOf } from './openai.errors';

/** OpenAI's keep-alive is an SSE comment; Dify's `event: ping` would break the SDKs' parsers. */
export const OPENAI_KEEPALIVE_FRAME = ': keep-alive\n\n';
const DONE_FRAME = 'data: [DONE]\n\n';

export interface OpenAiAnswer {
  /** The model id the client asked for (the app's slug). */
  model: string;
  includeUsage: boolean;
}

const completionId = (handle: RunHandle) => `chatcmpl-${handle.messageId.replace(/-/g, '')}`;

const usageOf = (usage: DifyUsage) => ({
  prompt_tokens: usage.prompt_tokens,
  completion_tokens: usage.completion_tokens,
  total_tokens: usage.total_tokens,
});

/** A stream for one run, created before the run starts so that a disconnect aborts it. */
export function openOpenAiStream(res: Response, keepAliveMs: number, metrics: MetricsService): SseStream {
  return new SseStream(res, {
    keepAliveMs,
    keepAliveFrame: OPENAI_KEEPALIVE_FRAME,
    onOpen: () => metrics.activeSseStreams.inc({ api: 'openai' }),
    onClose: () => metrics.activeSseStreams.dec({ api: 'openai' }),
  });
}

/**
 * `chat.completion.chunk` frames: the role first, content deltas, the finish reason, then (with
 * `include_usage`) a chunk with the usage and no choices, and `data: [DONE]`.
 *
 * The response starts with the first event, not before: a model call that fails before its first
 * token is answered as an ordinary HTTP error, which every OpenAI client reports properly. If the
 * model is slower than the keep-alive interval to begin, the stream starts anyway (with the role
 * chunk) and keep-alive comments hold it open; a failure after that is an `error` frame.
 */
export async function writeOpenAiStream(
  sse: SseStream,
  handle: RunHandle,
  answer: OpenAiAnswer,
  keepAliveMs: number,
): Promise<void> {
  const id = completionId(handle);
  const chunk = (choices: unknown[], usage?: unknown) => ({
    id,
    object: 'chat.completion.chunk',
    created: handle.createdAt,
    model: answer.model,
    choices,
    ...(answer.includeUsage ? { usage: usage ?? null } : {}),
  });
  const choice = (delta: Record<string, string>, finishReason: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });

  // Content deltas are most of a stream's frames: everything around the text is fixed per
  // stream, so each is one string concatenation instead of an object tree to serialise.
  const deltaHead = JSON.stringify(chunk([choice({ content: '' })])).split('"content":""');
  const deltaFrame = (text: string) => `data: ${deltaHead[0]}"content":${JSON.stringify(text)}${deltaHead[1]}\n\n`;

  let opened = false;
  // The role chunk; the frames after it wait for the client if it is behind.
  const open = () => {
    if (opened) return;
    opened = true;
    clearTimeout(idle);
    sse.start();
    void sse.send(chunk([choice({ role: 'assistant', content: '' })]));
  };
  const idle = setTimeout(open, keepAliveMs);
  try {
    for await (const event of handle.events) {
      let behind: Promise<void> | undefined;
      // An agent app's steps are not part of OpenAI's wire: only its answer is.
      if (event.type === 'thought') continue;
      if (event.type === 'delta') {
        open();
        behind = sse.write(deltaFrame(event.text));
      } else if (event.type === 'end') {
        open();
        void sse.send(chunk([choice({}, event.finishReason)]));
        if (answer.includeUsage) void sse.send(chunk([], usageOf(event.usage)));
        void sse.write(DONE_FRAME);
        // The answer is complete: the client need not wait while the run stores it.
        sse.end();
      } else if (opened) {
        void sse.send(streamErrorOf(event.failure));
        sse.end();
      } else {
        throw OpenAiErrors.upstreamFailed(event.failure);
      }
      // Only a client that is behind holds the loop (see SseStream.send).
      if (behind) await behind;
    }
  } finally {
    clearTimeout(idle);
  }
  sse.end();
}

/** A `chat.completion`; a failed model call throws its HTTP error. */
export async function blockingOpenAiAnswer(handle: RunHandle, answer: OpenAiAnswer): Promise<Record<string, unknown>> {
  for await (const event of handle.events) {
    if (event.type === 'error') throw OpenAiErrors.upstreamFailed(event.failure);
    if (event.type === 'end') {
      return {
        id: completionId(handle),
        object: 'chat.completion',
        created: handle.createdAt,
        model: answer.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: event.answer },
            logprobs: null,
            finish_reason: event.finishReason,
          },
        ],
        usage: usageOf(event.usage),
      };
    }
  }
  throw new Error('run ended without a result');
}
