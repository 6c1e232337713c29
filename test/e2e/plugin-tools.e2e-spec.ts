import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ensureSdkBuilt, REPO_DIR } from '../../libs/plugin-sdk/src/cli/sdk-build.spec-support';
import { MetricsService } from '@keel/metrics';
import type { AppConfig } from '../../src/config/app-config';
import { PluginBackwardsService } from '../../src/modules/plugins/plugin-backwards.service';
import { PluginFilesService } from '../../src/modules/plugins/plugin-files.service';
import { PluginInstallationsService } from '../../src/modules/plugins/plugin-installations.service';
import { PluginPackagesService } from '../../src/modules/plugins/plugin-packages.service';
import { PluginRuntimeService } from '../../src/modules/plugins/plugin-runtime.service';
import { PluginStorageService } from '../../src/modules/plugins/plugin-storage.service';
import { PluginToolCredential } from '../../src/modules/plugins/plugin-tool-credential.entity';
import { AuditLog } from '../../src/modules/audit/audit-log.entity';
import { bearer, consoleApi, type Session, setupOwner } from '../support/console';
import { createApp } from '../support/console-apps';
import { eventually } from '../support/eventually';
import { keelPlugin } from '../support/keel-plugin-cli';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { configureProvider, currentWorkspaceId, parseSse } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 13's acceptance: the example tool plugin (examples/plugins/notes), packed with the CLI and
 * installed through the console, used by an agent app in conversations — its process started on
 * first use, its backwards storage and LLM calls served in the calling workspace, denied where the
 * manifest does not grant them; its health indicator and metrics.
 */
describe('Tool plugins in agent apps', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-up'], models: ['gpt-4o-mini'] });
  let work: string;
  let t: TestApp;
  let owner: Session;

  const { get: consoleGet, post: consolePost } = consoleApi(
    () => t,
    () => owner,
  );
  const chat = (key: string, query: string, conversationId = '') =>
    request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${key}`)
      .send({ inputs: {}, user: 'u-1', response_mode: 'streaming', query, conversation_id: conversationId });

  /** Uploads and installs a package; returns its installation id. */
  async function install(file: string): Promise<string> {
    const uploaded = await request(t.baseUrl)
      .post('/console/api/workspaces/current/plugin/upload/pkg')
      .set(bearer(owner.access))
      .attach('pkg', readFileSync(join(work, file)), file)
      .expect(200);
    const started = await consolePost('/workspaces/current/plugin/install/pkg', {
      plugin_unique_identifiers: [uploaded.body.unique_identifier],
    }).expect(200);
    await eventually(async () => {
      const task = await consoleGet(`/workspaces/current/plugin/tasks/${started.body.task_id}`);
      return task.body.task.status === 'success';
    }, 'install task succeeded');
    const list = await consoleGet('/workspaces/current/plugin/list').expect(200);
    return (list.body.plugins as Array<{ plugin_unique_identifier: string; installation_id: string }>).find(
      (p) => p.plugin_unique_identifier === uploaded.body.unique_identifier,
    )!.installation_id;
  }

  /** An agent app on the given plugin provider's tools, with an app key. */
  async function agentApp(providerId: string, tools: string[], formValues: Record<string, unknown> = {}) {
    const app = await createApp(t, owner, { name: `Notes ${providerId} ${Date.now()}`, mode: 'agent-chat' });
    await consolePost(`/apps/${app.id}/model-config`, {
      model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini', completion_params: {} },
      pre_prompt: 'You keep notes.',
      agent_mode: {
        enabled: true,
        strategy: 'function_call',
        tools: tools.map((tool_name) => ({
          provider_type: 'plugin',
          provider_id: providerId,
          tool_name,
          tool_parameters: formValues,
        })),
        max_iteration: 3,
      },
    }).expect(200);
    const key = await consolePost(`/apps/${app.id}/api-keys`, {}).expect(201);
    return key.body.token as string;
  }

  const answerOf = (body: string) =>
    parseSse(body)
      .events.filter((e) => e.event === 'agent_message')
      .map((e) => e.answer)
      .join('');

  beforeAll(async () => {
    await ensureSdkBuilt();
    work = mkdtempSync(join(tmpdir(), 'keel-plugin-tools-'));
    await keelPlugin(work, 'pack', join(REPO_DIR, 'examples', 'plugins', 'notes'), '-o', 'notes.keelpkg');
    await keelPlugin(work, 'pack', join(REPO_DIR, 'examples', 'plugins', 'echo-endpoint'), '-o', 'echo.keelpkg');
    // The same plugin under another name, without the storage permission.
    cpSync(join(REPO_DIR, 'examples', 'plugins', 'notes'), join(work, 'nostore'), { recursive: true });
    const manifest = join(work, 'nostore', 'manifest.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8')
        .replace(/^name: notes$/m, 'name: nostore')
        .replace(/\n {4}storage:\n {6}enabled: true\n {6}size: \d+/, ''),
    );
    await keelPlugin(work, 'pack', 'nostore', '-o', 'nostore.keelpkg');
    writeKeyedPlugin(join(work, 'keyed'));
    await keelPlugin(work, 'pack', 'keyed', '-o', 'keyed.keelpkg');
    for (const [version, broken] of [
      ['1.0.0', false],
      ['1.1.0', false],
      ['1.2.0', true],
    ] as const) {
      writeSteadyPlugin(join(work, `steady-${version}`), version, broken);
      await keelPlugin(work, 'pack', `steady-${version}`, '-o', `steady-${version}.keelpkg`, '--skip-check');
    }

    await upstream.start();
    t = await bootTestApp({
      MODEL_REQUEST_MAX_RETRIES: '0',
      PLUGIN_HEARTBEAT_INTERVAL_MS: '500',
      PLUGIN_MAX_QUEUED_CALLS: '0',
    });
    owner = await setupOwner(t);
    await configureProvider(t, owner, { endpoint_url: upstream.baseUrl, api_key: 'sk-up' });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs the example through the console: its provider joins the tool list, its indicator is idle', async () => {
    await install('notes.keelpkg');
    const providers = await consoleGet('/workspaces/current/tool-providers').expect(200);
    const notes = (providers.body as Array<{ type: string; name: string; tools: Array<{ name: string }> }>).find(
      (p) => p.name === 'keel/notes/notes',
    );
    expect(notes?.type).toBe('plugin');
    expect(notes?.tools.map((tool) => tool.name)).toEqual(['save_note', 'read_note', 'summarize_note']);

    const health = await request(t.baseUrl).get('/health/ready').expect(200);
    expect(health.body.details['plugin:keel/notes']).toMatchObject({ status: 'up', state: 'idle' });
  });

  it('runs the plugin tools in an agent conversation: storage and LLM calls back into the workspace', async () => {
    const key = await agentApp('keel/notes/notes', ['save_note', 'read_note', 'summarize_note'], {
      provider: 'openai_api_compatible',
      model: 'gpt-4o-mini',
    });
    const saved = await chat(key, 'Remember it. [[call save_note {"key":"todo","text":"buy milk"}]]').expect(200);
    expect(answerOf(saved.text)).toBe('Done: {"saved":"todo","characters":8}');
    const thought = parseSse(saved.text).events.find((e) => e.event === 'agent_thought' && e.observation !== '')!;
    expect(thought.tool).toBe('save_note');

    const read = await chat(key, 'What was it? [[call read_note {"key":"todo"}]]').expect(200);
    expect(answerOf(read.text)).toBe('Done: buy milk');

    // summarize_note asks the workspace's model (the fake upstream answers "You said: …").
    const summary = await chat(key, 'Sum it up. [[call summarize_note {"key":"todo"}]]').expect(200);
    expect(answerOf(summary.text)).toBe('Done: You said: buy milk');
    const backwards = upstream.calls.find((call) =>
      call.body.messages.some((m) => m.role === 'system' && m.content === 'Summarize the note in one sentence.'),
    );
    expect(backwards?.body.model).toBe('gpt-4o-mini');

    const health = await request(t.baseUrl).get('/health/plugin:keel%2Fnotes').expect(200);
    expect(health.body.details['plugin:keel/notes']).toMatchObject({ status: 'up', state: 'running' });
    expect(health.body.details['plugin:keel/notes'].pid).toEqual(expect.any(Number));

    const metrics = await request(t.baseUrl).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/keel_plugin_calls_total\{plugin="keel\/notes",outcome="ok"\} 3/);
    expect(metrics.text).toMatch(/keel_plugin_processes\{plugin="keel\/notes",state="running"\} 1/);
  });

  it("keeps plugin storage within the manifest's size, per workspace and plugin", async () => {
    const storage = t.app.get(PluginStorageService);
    const workspaceId = await currentWorkspaceId(t, owner);
    const quota = 1_048_576; // the notes manifest's storage.size
    await storage.set(workspaceId, 'keel/notes', 'big', Buffer.alloc(quota - 100).toString('base64'), quota);
    await expect(
      storage.set(workspaceId, 'keel/notes', 'more', Buffer.alloc(100).toString('base64'), quota),
    ).rejects.toMatchObject({ errorType: 'StorageQuotaExceeded' });
    // Replacing a key counts its new size only (the note "todo", 8 bytes, is stored too); another
    // plugin's storage is its own.
    await storage.set(workspaceId, 'keel/notes', 'big', Buffer.alloc(quota - 8).toString('base64'), quota);
    await storage.set(workspaceId, 'keel/other', 'big', Buffer.alloc(quota).toString('base64'), quota);
    expect(await storage.get(workspaceId, 'keel/other', 'todo')).toBeNull();
    await storage.delete(workspaceId, 'keel/notes', 'big');
    await expect(storage.set(workspaceId, 'keel/notes', '', 'aGk=', quota)).rejects.toMatchObject({
      errorType: 'InvalidKey',
    });
  });

  it('starts every installed plugin with the server when PLUGIN_START_MODE=boot', async () => {
    const config = {
      ...t.config,
      plugins: { ...t.config.plugins, runtime: { ...t.config.plugins.runtime, startMode: 'boot' as const } },
    } as AppConfig;
    const runtime = new PluginRuntimeService(
      config,
      t.app.get(PluginPackagesService),
      t.app.get(PluginFilesService),
      t.app.get(PluginInstallationsService),
      t.app.get(PluginBackwardsService),
      t.app.get(MetricsService),
    );
    try {
      await runtime.onApplicationBootstrap();
      await eventually(
        () => runtime.statuses().some((s) => s.version.pluginId === 'keel/notes' && s.status.state === 'running'),
        'keel/notes started at boot',
      );
      expect(runtime.statuses().find((s) => s.version.pluginId === 'keel/notes')?.status.pid).toEqual(
        expect.any(Number),
      );
    } finally {
      await runtime.onApplicationShutdown();
    }
  });

  it('serves the notes endpoint at /e/<hook_id>/… with its settings; disabled or removed, it is a 404', async () => {
    const notes = (
      (await consoleGet('/workspaces/current/plugin/list').expect(200)).body.plugins as Array<{
        plugin_id: string;
        plugin_unique_identifier: string;
      }>
    ).find((p) => p.plugin_id === 'keel/notes')!;
    const setup = (settings: Record<string, unknown>) =>
      consolePost('/workspaces/current/plugin/endpoint/setup', {
        plugin_unique_identifier: notes.plugin_unique_identifier,
        name: 'Notes',
        settings,
      });
    expect((await setup({}).expect(400)).body.message).toContain('token is required');
    expect((await setup({ token: 't', colour: 'red' }).expect(400)).body.message).toContain('colour');
    const created = await setup({ token: 'tok-123456789' }).expect(200);
    expect(created.body.url).toBe(`/e/${created.body.hook_id}`);
    const listed = (await consoleGet('/workspaces/current/plugin/endpoint/list').expect(200)).body as {
      endpoints: Array<{ id: string; settings: { token: string }; enabled: boolean; declaration: unknown }>;
      total: number;
    };
    expect(listed.total).toBe(1);
    expect(listed.endpoints[0].settings.token).not.toBe('tok-123456789');
    expect(listed.endpoints[0].declaration).toEqual({ endpoints: [{ path: '/notes/<key>', method: 'GET' }] });

    const url = created.body.url as string;
    const ok = await request(t.baseUrl).get(`${url}/notes/todo`).set('X-Token', 'tok-123456789').expect(200);
    expect(ok.body).toEqual({ key: 'todo', text: 'buy milk' });
    expect(ok.headers['content-type']).toMatch(/^application\/json/);
    await request(t.baseUrl).get(`${url}/notes/todo`).set('X-Token', 'wrong').expect(401);
    expect(
      (await request(t.baseUrl).get(`${url}/notes/none`).set('X-Token', 'tok-123456789').expect(404)).body,
    ).toEqual({
      error: 'no note "none"',
    });
    await request(t.baseUrl).get(`${url}/elsewhere`).expect(404);
    // The body is the plugin's to read (no JSON parsing in front of it); the route only takes GET.
    await request(t.baseUrl).post(`${url}/notes/todo`).send({ not: 'parsed' }).expect(405);
    await request(t.baseUrl).get('/e/00000000000000000000000000000000/notes/todo').expect(404);

    const id = { endpoint_id: listed.endpoints[0].id };
    await consolePost('/workspaces/current/plugin/endpoint/disable', id).expect(200);
    await request(t.baseUrl).get(`${url}/notes/todo`).set('X-Token', 'tok-123456789').expect(404);
    await consolePost('/workspaces/current/plugin/endpoint/enable', id).expect(200);
    await request(t.baseUrl).get(`${url}/notes/todo`).set('X-Token', 'tok-123456789').expect(200);
    await consolePost('/workspaces/current/plugin/endpoint/remove', id).expect(200);
    await request(t.baseUrl).get(`${url}/notes/todo`).set('X-Token', 'tok-123456789').expect(404);
    await consolePost('/workspaces/current/plugin/endpoint/remove', id).expect(404);
  });

  it("serves the echo-endpoint example: raw bodies in, the plugin's status, headers and body out", async () => {
    await install('echo.keelpkg');
    const echo = (
      (await consoleGet('/workspaces/current/plugin/list').expect(200)).body.plugins as Array<{
        plugin_id: string;
        plugin_unique_identifier: string;
        declaration: { category: string };
      }>
    ).find((p) => p.plugin_id === 'keel/echo-endpoint')!;
    expect(echo.declaration.category).toBe('extension');
    const created = await consolePost('/workspaces/current/plugin/endpoint/setup', {
      plugin_unique_identifier: echo.plugin_unique_identifier,
      name: 'Echo',
      settings: { greeting: 'Hi' },
    }).expect(200);
    const url = created.body.url as string;
    const json = await request(t.baseUrl)
      .post(`${url}/echo/ada?x=1&y=two`)
      .send({ n: 1, list: [true] })
      .expect(200);
    expect(json.body).toEqual({
      greeting: 'Hi, ada!',
      query: { x: '1', y: 'two' },
      content_type: 'application/json',
      body: { n: 1, list: [true] },
    });
    expect(json.headers['x-echo']).toBe('keel');
    const text = await request(t.baseUrl)
      .post(`${url}/echo/bob`)
      .set('Content-Type', 'text/plain')
      .send('{not json, kept as text}')
      .expect(200);
    expect(text.body.body).toBe('{not json, kept as text}');
    expect((await request(t.baseUrl).get(`${url}/ping`).expect(200)).text).toBe('pong');
  });

  it('denies a backwards call the manifest does not grant; the plugin keeps serving', async () => {
    await install('nostore.keelpkg');
    const key = await agentApp('keel/nostore/notes', ['save_note']);
    const denied = await chat(key, 'Keep it. [[call save_note {"key":"k","text":"v"}]]').expect(200);
    const answer = answerOf(denied.text);
    expect(answer).toContain('PermissionDenied');
    expect(answer).toContain('resource.permission.storage.enabled');
    // Its other workspace data is untouched, and the process still answers.
    const again = await chat(key, 'Again. [[call save_note {"key":"k","text":"v"}]]').expect(200);
    expect(answerOf(again.text)).toContain('PermissionDenied');
    const health = await request(t.baseUrl).get('/health/ready').expect(200);
    expect(health.body.details['plugin:keel/nostore']).toMatchObject({ status: 'up', state: 'running' });
  });

  it('a disabled plugin offers nothing; uninstalled, its process stops and its indicator goes', async () => {
    const installation = (
      (await consoleGet('/workspaces/current/plugin/list').expect(200)).body.plugins as Array<{
        plugin_id: string;
        installation_id: string;
      }>
    ).find((p) => p.plugin_id === 'keel/nostore')!.installation_id;
    await consolePost('/workspaces/current/plugin/disable', { plugin_installation_id: installation }).expect(200);
    const providers = await consoleGet('/workspaces/current/tool-providers').expect(200);
    expect((providers.body as Array<{ name: string }>).map((p) => p.name)).not.toContain('keel/nostore/notes');

    const pid = (await request(t.baseUrl).get('/health/ready')).body.details['plugin:keel/nostore'].pid as number;
    await consolePost('/workspaces/current/plugin/uninstall', { plugin_installation_id: installation }).expect(200);
    await eventually(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the uninstalled plugin process exited');
    const health = await request(t.baseUrl).get('/health/ready').expect(200);
    expect(health.body.details['plugin:keel/nostore']).toBeUndefined();
  });

  it("keeps a plugin provider's credentials like API tools: checked by the plugin, sealed, masked, passed to calls", async () => {
    await install('keyed.keelpkg');
    const base = '/workspaces/current/tool-provider/builtin/test/keyed/keyed';
    expect((await consoleGet(`${base}/credentials_schema`).expect(200)).body).toEqual([
      { name: 'api_key', type: 'secret-input', required: true },
    ]);
    // Without credentials the tool refuses to run.
    const before = await consolePost(`${base}/test`, { tool_name: 'whoami', parameters: {} }).expect(200);
    expect(before.body.error).toMatch(/needs credentials \(api_key\)/);

    const refused = await consolePost(`${base}/update`, { credentials: { api_key: 'bad-key-1234' } }).expect(400);
    expect(refused.body.message).toContain('this key is not good');
    const missing = await consolePost(`${base}/update`, { credentials: {} }).expect(400);
    expect(missing.body.message).toContain('api_key is required');
    await consolePost(`${base}/update`, { credentials: { api_key: 'good-key-5678' } }).expect(200);

    const row = await t.app
      .get(DataSource)
      .getRepository(PluginToolCredential)
      .findOneByOrFail({ provider: 'test/keyed/keyed' });
    expect(row.encryptedCredentials).not.toContain('good-key');
    const shown = (await consoleGet(`${base}/credentials`).expect(200)).body as { api_key: string };
    expect(shown.api_key).not.toBe('good-key-5678');
    expect(shown.api_key).toMatch(/\*{4}5678$/);
    // The masked value sent back keeps the saved secret.
    await consolePost(`${base}/update`, { credentials: { api_key: shown.api_key } }).expect(200);

    const ran = await consolePost(`${base}/test`, { tool_name: 'whoami', parameters: {} }).expect(200);
    expect(ran.body).toEqual({ result: 'key ends with 5678' });
  });

  it('answers 429 when the plugin is at max_concurrent_requests and its queue is full; the running call finishes', async () => {
    const base = '/workspaces/current/tool-provider/builtin/test/keyed/keyed';
    const running = consolePost(`${base}/test`, { tool_name: 'nap', parameters: { ms: 800 } });
    const inFlight = running.then((res) => res);
    await eventually(
      () =>
        t.app
          .get(PluginRuntimeService)
          .statuses()
          .some((s) => s.version.pluginId === 'test/keyed' && s.status.activeCalls === 1),
      'one call in flight',
    );
    const busy = await consolePost(`${base}/test`, { tool_name: 'whoami', parameters: {} }).expect(429);
    expect(busy.body.code).toBe('plugin_busy');
    expect(busy.headers['retry-after']).toBe('1');
    expect((await inFlight).body).toEqual({ result: 'slept 800 ms' });
    await consolePost(`${base}/test`, { tool_name: 'whoami', parameters: {} }).expect(200, {
      result: 'key ends with 5678',
    });
  });
  it('upgrades under a steady stream of calls without losing one; a version that does not start changes nothing', async () => {
    const installation = await install('steady-1.0.0.keelpkg');
    const upload = async (file: string) =>
      (
        await request(t.baseUrl)
          .post('/console/api/workspaces/current/plugin/upload/pkg')
          .set(bearer(owner.access))
          .attach('pkg', readFileSync(join(work, file)), file)
          .expect(200)
      ).body.unique_identifier as string;
    const plugins = (await consoleGet('/workspaces/current/plugin/list').expect(200)).body.plugins as Array<{
      installation_id: string;
      plugin_unique_identifier: string;
    }>;
    const v1 = plugins.find((p) => p.installation_id === installation)!.plugin_unique_identifier;
    const v11 = await upload('steady-1.1.0.keelpkg');
    const v12 = await upload('steady-1.2.0.keelpkg');

    const answers: Array<{ status: number; body: Record<string, unknown> }> = [];
    let running = true;
    const stream = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) {
          const res = await consolePost('/workspaces/current/tool-provider/builtin/test/steady/steady/test', {
            tool_name: 'ping',
            parameters: {},
          });
          answers.push({ status: res.status, body: res.body as Record<string, unknown> });
        }
      }),
    );
    try {
      await eventually(() => answers.length >= 20, 'calls flowing');
      const broken = await consolePost('/workspaces/current/plugin/upgrade/pkg', {
        original_plugin_unique_identifier: v1,
        new_plugin_unique_identifier: v12,
      }).expect(502);
      expect(broken.body.code).toBe('plugin_start_failed');
      const listed = (await consoleGet('/workspaces/current/plugin/list').expect(200)).body.plugins as Array<{
        plugin_id: string;
        plugin_unique_identifier: string;
      }>;
      expect(listed.find((p) => p.plugin_id === 'test/steady')?.plugin_unique_identifier).toBe(v1);

      const oldPid = (await request(t.baseUrl).get('/health/ready')).body.details['plugin:test/steady'].pid as number;
      await consolePost('/workspaces/current/plugin/upgrade/pkg', {
        original_plugin_unique_identifier: v1,
        new_plugin_unique_identifier: v11,
      }).expect(200, { all_installed: true, task_id: '' });
      const switched = answers.length;
      await eventually(
        () => answers.slice(switched).filter((a) => a.body.result === 'v1.1.0').length >= 20,
        'new version serving',
      );
      await eventually(() => {
        try {
          process.kill(oldPid, 0);
          return false;
        } catch {
          return true;
        }
      }, 'the old version stopped');
    } finally {
      running = false;
      await stream;
    }
    expect(answers.every((a) => a.status === 200 && typeof a.body.result === 'string')).toBe(true);
    const versions = new Set(answers.map((a) => a.body.result));
    expect([...versions].sort()).toEqual(['v1.0.0', 'v1.1.0']);
    const audit = await t.app.get(DataSource).getRepository(AuditLog).findBy({ action: 'plugin.upgraded' });
    expect(audit.map((a) => a.metadata)).toEqual([expect.objectContaining({ from: v1, to: v11 })]);
  });
});

interface ToolPluginOptions {
  name: string;
  version: string;
  maxConcurrent: number;
  /** `credentials_for_provider` YAML, indented under it. */
  credentials?: string;
  /** Tool name → its `parameters` YAML (a flow sequence). */
  tools: Record<string, string>;
  main: string;
}

/** A one-provider tool plugin (author `test`, provider named like the plugin) written into `dir`. */
function writeToolPlugin(dir: string, plugin: ToolPluginOptions): void {
  const files: Record<string, string> = {
    'manifest.yaml': `version: ${plugin.version}
type: plugin
author: test
name: ${plugin.name}
label: { en_US: ${plugin.name} }
description: { en_US: A test plugin. }
icon: icon.svg
created_at: 2026-11-23T00:00:00Z
resource:
  memory: 134217728
  max_concurrent_requests: ${plugin.maxConcurrent}
  permission: { tool: { enabled: true } }
plugins:
  tools: [provider/${plugin.name}.yaml]
meta:
  version: 0.1.0
  runner: { language: nodejs, version: '20', entrypoint: main.js }
`,
    'icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    [`provider/${plugin.name}.yaml`]: `identity:
  author: test
  name: ${plugin.name}
  label: { en_US: ${plugin.name} }
  description: { en_US: A test provider. }
  icon: icon.svg
${plugin.credentials ? `credentials_for_provider:\n${plugin.credentials}\n` : ''}tools: [${Object.keys(plugin.tools)
      .map((tool) => `tools/${tool}.yaml`)
      .join(', ')}]
`,
    'main.js': plugin.main,
  };
  for (const [tool, parameters] of Object.entries(plugin.tools)) {
    files[`tools/${tool}.yaml`] = `identity: { name: ${tool}, author: test, label: { en_US: ${tool} } }
description: { human: { en_US: A test tool. }, llm: A test tool. }
parameters: ${parameters}
`;
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A plugin whose `ping` answers with its version after a short wait; `broken` exits at start. */
function writeSteadyPlugin(dir: string, version: string, broken: boolean): void {
  writeToolPlugin(dir, {
    name: 'steady',
    version,
    maxConcurrent: 16,
    tools: { ping: '[]' },
    main: `'use strict';
${broken ? "throw new Error('this version is broken');" : ''}
const { definePlugin, defineToolProvider, defineTool } = require('@keel/plugin-sdk');
const ping = defineTool({
  name: 'ping',
  parameters: [],
  invoke: () => new Promise((resolve) => setTimeout(() => resolve('v${version}'), 20)),
});
const plugin = definePlugin({ tools: [defineToolProvider({ name: 'steady', tools: [ping] })] });
module.exports = plugin;
if (require.main === module) plugin.start();
`,
  });
}

/** A plugin whose provider needs an API key (checked in code) and allows one call at a time. */
function writeKeyedPlugin(dir: string): void {
  writeToolPlugin(dir, {
    name: 'keyed',
    version: '1.0.0',
    maxConcurrent: 1,
    credentials: `  api_key:
    type: secret-input
    required: true
    label: { en_US: API key }`,
    tools: {
      whoami: '[]',
      nap: `
  - { name: ms, type: number, required: true, label: { en_US: Milliseconds }, llm_description: How long., form: llm }`,
    },
    main: `'use strict';
const { definePlugin, defineToolProvider, defineTool } = require('@keel/plugin-sdk');
const whoami = defineTool({
  name: 'whoami',
  parameters: [],
  invoke: (args, ctx) => 'key ends with ' + String(ctx.credentials.api_key).slice(-4),
});
const nap = defineTool({
  name: 'nap',
  parameters: [{ name: 'ms', type: 'number', required: true, form: 'llm', llm_description: 'How long.' }],
  invoke: (args) => new Promise((resolve) => setTimeout(() => resolve('slept ' + args.ms + ' ms'), args.ms)),
});
const plugin = definePlugin({
  tools: [
    defineToolProvider({
      name: 'keyed',
      tools: [whoami, nap],
      validateCredentials(credentials) {
        if (!String(credentials.api_key).startsWith('good')) throw new Error('this key is not good');
      },
    }),
  ],
});
module.exports = plugin;
if (require.main === module) plugin.start();
`,
  });
}
