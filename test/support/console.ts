import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PasswordHasher } from '../../src/modules/auth/password.hasher';
import { Account } from '../../src/modules/workspaces/account.entity';
import { WorkspaceMember } from '../../src/modules/workspaces/workspace-member.entity';
import { Workspace } from '../../src/modules/workspaces/workspace.entity';
import type { WorkspaceRole } from '../../src/modules/workspaces/workspace-role';
import type { TestApp } from './test-app';

/** Console API helpers for the e2e suites: setup, sign-in, invitations, seeded workspaces. */

export const OWNER = { email: 'owner@example.com', name: 'Olive Owner', password: 'owner-pass-1' };

export interface Session {
  accountId: string;
  email: string;
  password: string;
  access: string;
  refresh: string;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** `GET` and `POST` under `/console/api` as the session (read at call time, so a later login counts). */
export function consoleApi(t: () => TestApp, session: () => Session) {
  return {
    get: (path: string) => request(t().baseUrl).get(`/console/api${path}`).set(bearer(session().access)),
    post: (path: string, body: unknown) =>
      request(t().baseUrl)
        .post(`/console/api${path}`)
        .set(bearer(session().access))
        .send(body as object),
  };
}

export async function setupOwner(t: TestApp, owner = OWNER): Promise<Session> {
  await request(t.baseUrl).post('/console/api/setup').send(owner).expect(201);
  return login(t, owner.email, owner.password);
}

export async function login(t: TestApp, email: string, password: string): Promise<Session> {
  const res = await request(t.baseUrl).post('/console/api/login').send({ email, password }).expect(200);
  const profile = await request(t.baseUrl)
    .get('/console/api/account/profile')
    .set(bearer(res.body.data.access_token))
    .expect(200);
  return {
    accountId: profile.body.id,
    email,
    password,
    access: res.body.data.access_token,
    refresh: res.body.data.refresh_token,
  };
}

/** Invites through the API and activates with the link it answers (no mailbox needed). */
export async function addMember(t: TestApp, inviter: Session, email: string, role: WorkspaceRole): Promise<Session> {
  const invite = await request(t.baseUrl)
    .post('/console/api/workspaces/current/members/invite-email')
    .set(bearer(inviter.access))
    .send({ emails: [email], role })
    .expect(201);
  const result = invite.body.invitation_results[0];
  if (result.status !== 'success') throw new Error(`invitation failed: ${result.message}`);
  const link = new URL(result.url);
  const password = `${role}-pass-9`;
  const activated = await request(t.baseUrl)
    .post('/console/api/activate')
    .send({
      workspace_id: link.searchParams.get('workspace_id'),
      email,
      token: link.searchParams.get('token'),
      name: role,
      password,
    })
    .expect(200);
  const access = activated.body.data.access_token as string;
  const profile = await request(t.baseUrl).get('/console/api/account/profile').set(bearer(access)).expect(200);
  return { accountId: profile.body.id, email, password, access, refresh: activated.body.data.refresh_token };
}

/**
 * A second workspace with its own owner, written straight into the database: Keel (like Dify's
 * community edition) has no route that creates a workspace besides the first-run setup.
 */
export async function seedWorkspace(t: TestApp, email: string, password: string): Promise<{ workspaceId: string }> {
  const ds = t.app.get(DataSource);
  const now = new Date();
  const accountId = randomUUID();
  const workspaceId = randomUUID();
  await ds.getRepository(Account).insert({
    id: accountId,
    name: email.split('@')[0],
    email,
    passwordHash: await t.app.get(PasswordHasher).hash(password),
    status: 'active',
    tokenVersion: 0,
    interfaceLanguage: 'en-US',
    timezone: 'UTC',
    lastLoginAt: null,
    lastLoginIp: null,
    initializedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await ds
    .getRepository(Workspace)
    .insert({ id: workspaceId, name: `${email} space`, status: 'normal', createdAt: now, updatedAt: now });
  await ds.getRepository(WorkspaceMember).insert({
    id: randomUUID(),
    workspaceId,
    accountId,
    role: 'owner',
    current: true,
    invitedBy: null,
    createdAt: now,
    updatedAt: now,
  });
  return { workspaceId };
}

/** The JSON payload of a JWT (not verified: tests look at what Keel put in). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
