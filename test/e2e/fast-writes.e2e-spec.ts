import { randomUUID } from 'node:crypto';
import { DataSource, type ObjectLiteral, QueryFailedError } from 'typeorm';
import { FastWrites } from '../../src/database/fast-writes';
import { Conversation } from '../../src/modules/conversations/conversation.entity';
import { EndUser } from '../../src/modules/conversations/end-user.entity';
import { Message } from '../../src/modules/conversations/message.entity';
import { seedWorkspace } from '../support/console';
import { seedApp } from '../support/service-api';
import { availableDatabaseKinds, createTestDatabase, type TestDatabase } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

/** A chat turn that starts a conversation writes both rows at once (one statement on PostgreSQL). */
describe.each(availableDatabaseKinds())('FastWrites.insertAll on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let ds: DataSource;
  let scope: { workspaceId: string; appId: string; endUserId: string };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await bootTestApp(db.env);
    ds = t.app.get(DataSource);
    const { workspaceId } = await seedWorkspace(t, 'fast@example.com', 'fast-pass-1');
    const { app } = await seedApp(t, workspaceId, {});
    const endUserId = randomUUID();
    const now = new Date();
    await ds.getRepository(EndUser).insert({
      id: endUserId,
      workspaceId,
      appId: app.id,
      sessionId: 'u',
      type: 'service_api',
      createdAt: now,
      updatedAt: now,
    });
    scope = { workspaceId, appId: app.id, endUserId };
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const conversation = (): Conversation => {
    const now = new Date('2026-03-04T05:06:07.000Z');
    return {
      id: randomUUID(),
      ...scope,
      name: 'n',
      externalId: `chat-${randomUUID()}`,
      inputs: { a: 1 },
      status: 'normal',
      dialogueCount: 1,
      createdAt: now,
      updatedAt: now,
    };
  };
  const message = (conversationId: string, id = randomUUID()): Message => {
    const now = new Date('2026-03-04T05:06:07.000Z');
    return {
      id,
      ...scope,
      conversationId,
      taskId: randomUUID(),
      inputs: {},
      query: 'q',
      answer: '',
      files: null,
      status: 'running',
      error: null,
      modelProvider: 'p',
      modelId: 'm',
      messageTokens: 0,
      answerTokens: 0,
      messageUnitPrice: '0',
      answerUnitPrice: '0',
      totalPrice: '0',
      currency: 'USD',
      latencyMs: 0,
      createdAt: now,
      updatedAt: now,
    };
  };

  it('writes a conversation and its first message, which read back as written', async () => {
    const conversations = new FastWrites(ds, Conversation);
    const messages = new FastWrites(ds, Message) as FastWrites<ObjectLiteral>;
    const c = conversation();
    const m = message(c.id);
    await conversations.insertAll(c, [messages, m]);
    // The plan is reused: a second pair goes through the same statement.
    const c2 = conversation();
    await conversations.insertAll(c2, [messages, message(c2.id)]);
    expect(await ds.getRepository(Conversation).findOneByOrFail({ id: c.id })).toEqual(c);
    expect(await ds.getRepository(Message).findOneByOrFail({ id: m.id })).toMatchObject({
      conversationId: c.id,
      query: 'q',
      status: 'running',
    });
    expect(await ds.getRepository(Message).countBy({ conversationId: c2.id })).toBe(1);
  });

  it('writes neither row when the second cannot be written', async () => {
    const conversations = new FastWrites(ds, Conversation);
    const messages = new FastWrites(ds, Message) as FastWrites<ObjectLiteral>;
    const first = conversation();
    const taken = randomUUID();
    await conversations.insertAll(first, [messages, message(first.id, taken)]);
    const second = conversation();
    const failure: unknown = await conversations
      .insertAll(second, [messages, message(second.id, taken)])
      .catch((error: unknown) => error);
    // TypeORM's error, as its own statements throw; the prepared paths (SQLite, PostgreSQL) attach
    // no bound values to it (MariaDB goes through TypeORM's query runner, which does).
    expect(failure).toBeInstanceOf(QueryFailedError);
    if (kind !== 'mariadb') expect((failure as QueryFailedError).parameters).toBeUndefined();
    expect(await ds.getRepository(Conversation).countBy({ id: second.id })).toBe(0);
    // Reported like any failed statement: the SQL with placeholders, never the bound values.
    const failed = t.logs().filter((l) => l.msg === 'query failed');
    expect(failed.at(-1)?.query).toMatch(/INSERT INTO ["`]messages["`]/);
    expect(failed.at(-1)?.query).not.toContain(taken);
  });

  it('group-commits single inserts of one tick; a duplicate fails alone and the others are written', async () => {
    const messages = new FastWrites(ds, Message);
    const c = conversation();
    await new FastWrites(ds, Conversation).insert(c);
    const taken = randomUUID();
    await messages.insert(message(c.id, taken));
    const rows = [message(c.id), message(c.id), message(c.id, taken), message(c.id), message(c.id)];
    const outcomes = await Promise.allSettled(rows.map((row) => messages.insert(row)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(QueryFailedError);
    expect(await ds.getRepository(Message).countBy({ conversationId: c.id })).toBe(5);
    const stored = await ds.getRepository(Message).findOneByOrFail({ id: rows[4].id });
    expect(stored).toEqual(rows[4]);

    // A clean batch (a multi-row statement on PostgreSQL, one transaction on SQLite).
    const clean = Array.from({ length: 7 }, () => message(c.id));
    await Promise.all(clean.map((row) => messages.insert(row)));
    expect(await ds.getRepository(Message).countBy({ conversationId: c.id })).toBe(12);
  });

  it('group-commits conversation-and-message pairs of one tick; a failing pair is written by neither row', async () => {
    const conversations = new FastWrites(ds, Conversation);
    const messages = new FastWrites(ds, Message) as FastWrites<ObjectLiteral>;
    const taken = randomUUID();
    const first = conversation();
    await conversations.insertAll(first, [messages, message(first.id, taken)]);
    const pairs = Array.from({ length: 4 }, (_, i) => {
      const c = conversation();
      return { c, m: message(c.id, i === 1 ? taken : randomUUID()) };
    });
    const outcomes = await Promise.allSettled(pairs.map(({ c, m }) => conversations.insertAll(c, [messages, m])));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    for (const [i, { c, m }] of pairs.entries()) {
      const written = i === 1 ? 0 : 1;
      expect(await ds.getRepository(Conversation).countBy({ id: c.id })).toBe(written);
      if (i !== 1) expect(await ds.getRepository(Message).findOneByOrFail({ id: m.id })).toEqual(m);
    }
  });
});
