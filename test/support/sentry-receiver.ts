import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface EnvelopeItem {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Stands in for Sentry's ingest: accepts `POST /api/<project>/envelope/` (what the SDK sends for
 * DSN `http://key@127.0.0.1:PORT/<project>`) and keeps each envelope's raw text and items.
 */
export class SentryReceiver {
  readonly raw: string[] = [];
  readonly items: EnvelopeItem[] = [];
  private server?: Server;
  port = 0;

  get dsn(): string {
    return `http://publickey@127.0.0.1:${this.port}/1`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        if (req.method === 'POST' && /^\/api\/\d+\/envelope\/?/.test(req.url ?? '')) this.accept(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  events(): Record<string, unknown>[] {
    return this.items.filter((i) => i.type === 'event').map((i) => i.payload);
  }

  async waitFor<T>(find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`not received within ${timeoutMs} ms; got ${this.raw.length} envelope(s)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Envelope: a header line, then (item header line, payload line) pairs. */
  private accept(body: string): void {
    this.raw.push(body);
    const lines = body.split('\n');
    for (let i = 1; i + 1 < lines.length; i += 2) {
      const header = JSON.parse(lines[i]) as { type: string };
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(lines[i + 1]) as Record<string, unknown>;
      } catch {
        payload = { text: lines[i + 1] };
      }
      this.items.push({ type: header.type, payload });
    }
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const buffer = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(buffer) : buffer).toString('utf8');
}
