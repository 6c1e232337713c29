import { BENCH_MODEL } from './upstream';

/**
 * Owner, provider credentials (`openai_api_compatible` at the upstream), a chat app with a model
 * and an API key — all through Keel's own console routes, as an operator would. Returns the key.
 */
export async function provisionKeel(keelUrl: string, upstreamUrl: string): Promise<string> {
  const call = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${keelUrl}/console/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const owner = { email: 'bench@example.com', name: 'Bench', password: 'bench-pass-1' };
  await call('/setup', owner);
  const token = ((await call('/login', owner)).data as { access_token: string }).access_token;
  await call(
    '/workspaces/current/model-providers/openai_api_compatible/credentials',
    { credentials: { endpoint_url: upstreamUrl } },
    token,
  );
  const app = await call('/apps', { name: 'bench', mode: 'chat' }, token);
  await call(
    `/apps/${app.id as string}/model-config`,
    { model: { provider: 'openai_api_compatible', name: BENCH_MODEL } },
    token,
  );
  return (await call(`/apps/${app.id as string}/api-keys`, undefined, token)).token as string;
}
