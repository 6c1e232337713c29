import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { App } from '../../src/modules/apps/app.entity';
import { Conversation } from '../../src/modules/conversations/conversation.entity';
import { EndUser } from '../../src/modules/conversations/end-user.entity';
import { Message } from '../../src/modules/conversations/message.entity';
import { bearer, type Session } from './console';
import type { FakeOpenAiUpstream } from './fake-openai-upstream';
import type { TestApp } from './test-app';

/** Console helpers for apps: create one, configure the provider its models come from, seed logs. */

export interface WireApp {
  id: string;
  name: string;
  mode: string;
  [field: string]: unknown;
}

export async function createApp(
  t: TestApp,
  session: Session,
  body: Record<string, unknown> = { name: 'Test app', mode: 'chat' },
): Promise<WireApp> {
  const res = await request(t.baseUrl).post('/console/api/apps').set(bearer(session.access)).send(body).expect(201);
  return res.body as WireApp;
}

/** Points the workspace's `openai_api_compatible` provider at the fake upstream (owner or admin). */
export async function configureCompatibleProvider(
  t: TestApp,
  admin: Session,
  upstream: FakeOpenAiUpstream,
  apiKey: string,
): Promise<void> {
  await request(t.baseUrl)
    .post('/console/api/workspaces/current/model-providers/openai_api_compatible/credentials')
    .set(bearer(admin.access))
    .send({ credentials: { endpoint_url: upstream.baseUrl, api_key: apiKey } })
    .expect(201);
}

export interface SeededTurn {
  query: string;
  answer: string;
  /** Offset from `base` in seconds, so the order never depends on the clock. */
  at: number;
  status?: Message['status'];
}

export interface SeededConversation {
  endUser: EndUser;
  conversation: Conversation;
  messages: Message[];
}

/**
 * One end user, one conversation and its messages written straight into the tables, as the
 * runners would have left them; timestamps spaced out from `base`.
 */
export async function seedConversation(
  t: TestApp,
  app: Pick<App, 'id' | 'workspaceId'>,
  sessionId: string,
  turns: SeededTurn[],
  options: { base?: Date; name?: string; status?: Conversation['status'] } = {},
): Promise<SeededConversation> {
  const ds = t.app.get(DataSource);
  const base = options.base ?? new Date('2026-01-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(base.getTime() + seconds * 1000);
  const lastAt = turns.length ? Math.max(...turns.map((turn) => turn.at)) : 0;
  const endUser: EndUser = {
    id: randomUUID(),
    workspaceId: app.workspaceId,
    appId: app.id,
    sessionId,
    type: 'service_api',
    createdAt: base,
    updatedAt: base,
  };
  await ds.getRepository(EndUser).insert(endUser);
  const conversation: Conversation = {
    id: randomUUID(),
    workspaceId: app.workspaceId,
    appId: app.id,
    endUserId: endUser.id,
    name: options.name ?? `Chat of ${sessionId}`,
    externalId: null,
    inputs: {},
    status: options.status ?? 'normal',
    dialogueCount: turns.length,
    createdAt: base,
    updatedAt: at(lastAt),
  };
  await ds.getRepository(Conversation).save(conversation);
  const messages: Message[] = turns.map((turn) => ({
    id: randomUUID(),
    workspaceId: app.workspaceId,
    appId: app.id,
    conversationId: conversation.id,
    endUserId: endUser.id,
    taskId: randomUUID(),
    inputs: {},
    query: turn.query,
    answer: turn.answer,
    files: null,
    status: turn.status ?? 'normal',
    error: turn.status === 'error' ? 'upstream failed' : null,
    modelProvider: 'openai_api_compatible',
    modelId: 'llama3',
    messageTokens: 10,
    answerTokens: 5,
    messageUnitPrice: '0.5',
    answerUnitPrice: '1.5',
    totalPrice: '0.0125',
    currency: 'USD',
    latencyMs: 1250,
    createdAt: at(turn.at),
    updatedAt: at(turn.at),
  }));
  for (const message of messages) await ds.getRepository(Message).save(message);
  return { endUser, conversation, messages };
}
