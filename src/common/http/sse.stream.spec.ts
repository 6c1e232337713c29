import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { DIFY_PING_FRAME, SseStream } from './sse.stream';

/** SseStream on a real Express server over loopback. */
describe('SseStream', () => {
  let open = 0;
  let aborted: Promise<boolean>;
  let writes = 0;
  let heldBack = 0;
  const app = express();
  app.post('/stream', (req, res) => {
    const sse = new SseStream(res, {
      keepAliveMs: 50,
      keepAliveFrame: DIFY_PING_FRAME,
      onOpen: () => open++,
      onClose: () => open--,
    });
    aborted = new Promise((resolve) => sse.signal.addEventListener('abort', () => resolve(true)));
    sse.start();
    void (async () => {
      await sse.send({ event: 'message', answer: 'a' });
      if (req.query.hang) return; // the client will disconnect
      await new Promise((r) => setTimeout(r, 130));
      await sse.send({ event: 'message_end' });
      sse.end();
    })();
  });
  app.post('/stream/burst', (_req, res) => {
    // Frames of one tick, then the end in the same tick: one socket write with the terminator.
    const sse = new SseStream(res, { keepAliveMs: 1000, keepAliveFrame: DIFY_PING_FRAME });
    sse.start();
    // What the socket hands to the system: one `_write` or `_writev` per write(v) call.
    writes = 0;
    const socket = res.socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method].bind(socket);
      socket[method] = (...args: unknown[]) => {
        writes++;
        return original(...args);
      };
    }
    for (let i = 0; i < 3; i++) void sse.write(`data: ${i}\n\n`);
    sse.end();
  });
  app.post('/stream/big', (_req, res) => {
    // A client that reads nothing: the writer must be held back, not buffer without bound.
    const sse = new SseStream(res, { keepAliveMs: 1000, keepAliveFrame: DIFY_PING_FRAME });
    sse.start();
    const frame = `data: ${'x'.repeat(64 * 1024)}\n\n`;
    void (async () => {
      let sent = 0;
      while (sse.open && sent < 512) {
        await sse.write(frame);
        sent++;
        heldBack = sent;
      }
    })();
  });
  app.post('/stream/refused', (_req, res) => {
    // As a run refused after the stream object exists but before it starts.
    new SseStream(res, {
      keepAliveMs: 50,
      keepAliveFrame: DIFY_PING_FRAME,
      onOpen: () => open++,
      onClose: () => open--,
    });
    res.status(400).json({ code: 'invalid_param' });
  });
  const server = app.listen(0, '127.0.0.1');
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;

  beforeAll(() => once(server, 'listening'));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('writes data frames only, with pings while idle, and closes cleanly', async () => {
    const res = await fetch(url(), { method: 'POST' });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = await res.text();
    const frames = body.split('\n\n').filter(Boolean);
    expect(frames[0]).toBe('data: {"event":"message","answer":"a"}');
    expect(frames.at(-1)).toBe('data: {"event":"message_end"}');
    expect(frames.slice(1, -1).length).toBeGreaterThan(0);
    expect(frames.slice(1, -1).every((f) => f === 'event: ping')).toBe(true);
    expect(body).not.toMatch(/^(id|retry):/m);
    expect(open).toBe(0);
  });

  it('sends the frames of the last tick with the end, all of them, in one write', async () => {
    const res = await fetch(`${url()}/burst`, { method: 'POST' });
    expect(await res.text()).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n');
    expect(writes).toBe(1);
  });

  it('holds a writer back while the client does not read (backpressure)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${url()}/big`, { method: 'POST', signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 200));
    // 512 frames of 64 KB would be 32 MB; socket and stream buffers hold a few MB at most.
    expect(heldBack).toBeGreaterThan(0);
    expect(heldBack).toBeLessThan(200);
    controller.abort();
  });

  it('counts only streams that started (a refused run answers JSON and was never open)', async () => {
    const res = await fetch(`${url()}/refused`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(open).toBe(0);
  });

  it('aborts its signal when the client disconnects mid-stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`${url()}?hang=1`, { method: 'POST', signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    expect(await aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(open).toBe(0);
  });
});
