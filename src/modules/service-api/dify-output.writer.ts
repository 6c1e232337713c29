import type { Response } from 'express';
import { MetricsService } from '@keel/metrics';
import { DIFY_PING_FRAME, SseStream } from '../../common/http/sse.stream';
import { unixSeconds } from '../../common/http/unix-seconds';
import type { AgentThought } from '../runners/agent/agent-thought';
import type { RunHandle } from '../runners/app.runner';
import type { DifyUsage } from '../runners/usage';
import { ServiceApiErrors } from './service-api.exceptions';

export type DifyMode = 'chat' | 'completion';

/** The ids every event of a run carries, in Dify's field order. */
function ids(handle: RunHandle, mode: DifyMode) {
  return {
    task_id: handle.taskId,
    id: handle.messageId,
    message_id: handle.messageId,
    ...(mode === 'chat' ? { conversation_id: handle.conversationId } : {}),
  };
}

const metadata = (usage: DifyUsage) => ({ usage, retriever_resources: [] });

/** A stream for one run, opened before the run starts so that a disconnect aborts it. */
export function openDifyStream(res: Response, pingIntervalMs: number, metrics: MetricsService): SseStream {
  return new SseStream(res, {
    keepAliveMs: pingIntervalMs,
    keepAliveFrame: DIFY_PING_FRAME,
    onOpen: () => metrics.activeSseStreams.inc({ api: 'service_api' }),
    onClose: () => metrics.activeSseStreams.dec({ api: 'service_api' }),
  });
}

/** An agent step as Dify streams it (`agent_thought`). */
export function agentThoughtEvent(handle: RunHandle, thought: AgentThought): Record<string, unknown> {
  return {
    event: 'agent_thought',
    id: thought.id,
    task_id: handle.taskId,
    message_id: handle.messageId,
    conversation_id: handle.conversationId,
    position: thought.position,
    thought: thought.thought,
    observation: thought.observation,
    tool: thought.tool,
    tool_labels: thought.toolLabels,
    tool_input: thought.toolInput,
    created_at: unixSeconds(thought.createdAt),
    message_files: thought.files,
  };
}

/**
 * Dify's SSE: `message` per chunk (`agent_message` for agent apps, with `agent_thought` for each
 * step), then `message_end` (or `error`), written as they come.
 */
export async function writeDifyStream(sse: SseStream, handle: RunHandle, mode: DifyMode, agent = false): Promise<void> {
  sse.start();
  const base = ids(handle, mode);
  const answerEvent = agent ? 'agent_message' : 'message';
  for await (const event of handle.events) {
    let behind: Promise<void> | undefined;
    if (event.type === 'delta') {
      behind = sse.send({ event: answerEvent, ...base, answer: event.text, created_at: handle.createdAt });
    } else if (event.type === 'thought') {
      behind = sse.send(agentThoughtEvent(handle, event.thought));
    } else if (event.type === 'end') {
      behind = sse.send({
        event: 'message_end',
        ...base,
        metadata: metadata(event.usage),
        created_at: handle.createdAt,
      });
    } else {
      const error = ServiceApiErrors.upstreamFailed(event.failure);
      const { code, message } = error;
      behind = sse.send({
        event: 'error',
        ...base,
        status: error.getStatus(),
        code,
        message,
        created_at: handle.createdAt,
      });
    }
    if (behind) await behind;
  }
  sse.end();
}

/** Dify's blocking answer; an upstream failure becomes the usual error envelope. */
export async function blockingDifyAnswer(handle: RunHandle, mode: DifyMode): Promise<Record<string, unknown>> {
  for await (const event of handle.events) {
    if (event.type === 'error') throw ServiceApiErrors.upstreamFailed(event.failure);
    if (event.type === 'end') {
      return {
        event: 'message',
        ...ids(handle, mode),
        mode,
        answer: event.answer,
        metadata: metadata(event.usage),
        created_at: handle.createdAt,
      };
    }
  }
  throw new Error('run ended without a result');
}
