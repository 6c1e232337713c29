import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../test/support/server-process';
import { BENCH_MODEL, BENCH_PROMPT } from './upstream';
import { waitUntilReady } from './wait-until-ready';

/**
 * The baseline, in its own process: any POST is forwarded to the upstream's /chat/completions as
 * one fixed streamed request, and the upstream's SSE bytes are piped back unchanged. It is the
 * least a server can do to stream a model's answer, so Keel is measured against it.
 */
export async function startBareProxy(upstreamUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const request = { model: BENCH_MODEL, stream: true, messages: [{ role: 'user', content: BENCH_PROMPT }] };
  const script = `
    const http = require('node:http');
    const upstream = new URL(${JSON.stringify(`${upstreamUrl}/chat/completions`)});
    const agent = new http.Agent({ keepAlive: true });
    http.createServer((req, res) => {
      if (req.method !== 'POST') return res.end('ok');
      const body = JSON.stringify(${JSON.stringify(request)});
      const out = http.request(upstream, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (up) => {
        res.writeHead(up.statusCode, { 'content-type': 'text/event-stream' });
        up.pipe(res);
      });
      req.resume();
      out.end(body);
    }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url, child);
  return { url, child };
}
