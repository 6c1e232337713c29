import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AppApiKey } from '../../src/modules/apps/app-api-key.entity';
import { appKeyTail, generateAppKey, hashAppKey } from '../../src/modules/apps/app-api-key.token';
import { appModelConfigSchema } from '../../src/modules/apps/app-model-config';
import { App, type AppMode } from '../../src/modules/apps/app.entity';
import { bearer, type Session } from './console';
import type { TestApp } from './test-app';

/** Service API helpers: apps and keys written straight to the database, SSE parsing. */

export async function currentWorkspaceId(t: TestApp, session: Session): Promise<string> {
  const res = await request(t.baseUrl).get('/console/api/workspaces/current').set(bearer(session.access)).expect(200);
  return res.body.id as string;
}

export async function configureProvider(
  t: TestApp,
  session: Session,
  credentials: Record<string, unknown>,
): Promise<void> {
  await request(t.baseUrl)
    .post('/console/api/workspaces/current/model-providers/openai_api_compatible/credentials')
    .set(bearer(session.access))
    .send({ credentials })
    .expect(201);
}

export interface SeededApp {
  app: App;
  key: string;
}

export async function seedApp(
  t: TestApp,
  workspaceId: string,
  options: {
    mode?: AppMode;
    modelConfig?: unknown;
    enableApi?: boolean;
    apiRpm?: number;
    apiMaxActiveRequests?: number;
  } = {},
): Promise<SeededApp> {
  const ds = t.app.get(DataSource);
  const now = new Date();
  const app: App = {
    id: randomUUID(),
    workspaceId,
    name: `app ${now.getTime()}`,
    mode: options.mode ?? 'chat',
    slug: `seeded-${now.getTime()}-${randomUUID().slice(0, 8)}`,
    description: '',
    iconType: 'emoji',
    icon: null,
    iconBackground: null,
    status: 'normal',
    enableApi: options.enableApi ?? true,
    apiRpm: options.apiRpm ?? null,
    apiMaxActiveRequests: options.apiMaxActiveRequests ?? null,
    modelConfig: options.modelConfig === undefined ? null : appModelConfigSchema.parse(options.modelConfig),
    createdBy: null,
    createdAt: now,
    updatedAt: now,
  };
  await ds.getRepository(App).insert(app as QueryDeepPartialEntity<App>);
  const key = generateAppKey();
  await ds.getRepository(AppApiKey).insert({
    id: randomUUID(),
    appId: app.id,
    workspaceId,
    tokenHash: hashAppKey(key),
    tokenTail: appKeyTail(key),
    lastUsedAt: null,
    createdBy: null,
    createdAt: now,
  });
  return { app, key };
}

/** The `data:` payloads of an SSE body, and its bare event lines (pings). */
export function parseSse(body: string): { events: Record<string, unknown>[]; pings: number; frames: string[] } {
  const frames = body.split('\n\n').filter((f) => f.length > 0);
  const events: Record<string, unknown>[] = [];
  let pings = 0;
  for (const frame of frames) {
    if (frame === 'event: ping') pings++;
    else if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as Record<string, unknown>);
    else throw new Error(`unexpected SSE frame: ${JSON.stringify(frame)}`);
  }
  return { events, pings, frames };
}

/** Reads an SSE response until `predicate` matches an event; returns the events so far and the reader. */
export async function readUntil(
  res: Response,
  predicate: (event: Record<string, unknown>) => boolean,
): Promise<{ events: Record<string, unknown>[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: Record<string, unknown>[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before the expected event; got ${JSON.stringify(events)}`);
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (!frame.startsWith('data: ')) continue;
      const event = JSON.parse(frame.slice(6)) as Record<string, unknown>;
      events.push(event);
      if (predicate(event)) return { events, reader };
    }
  }
}

/** The rest of a stream as text. */
export async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}
