import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { DIFY_PING_FRAME, SseStream } from './sse.stream';

/** SseStream on a real Express server over loopback. */
describe('SseStream', () => {
  let open = 0;
  let aborted: Promise<boolean>;
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
