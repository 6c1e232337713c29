import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication, Module, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request, Response } from 'express';
import { StablePrototypeExpressAdapter } from './stable-prototype-express.adapter';

@Controller('probe')
class ProbeController {
  @Get()
  probe(@Req() req: Request, @Res() res: Response): void {
    // Express's own helpers work on these objects: req.get, res.status().json().
    res.status(201).json({ agent: req.get('user-agent'), query: req.query });
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/** The adapter on a real Nest application over loopback. */
describe('StablePrototypeExpressAdapter', () => {
  let app: INestApplication;
  let url: string;
  const seen: Array<{ req: object | null; res: object | null; classes: boolean }> = [];
  let expressApp: { request: object; response: object };

  beforeAll(async () => {
    const adapter = new StablePrototypeExpressAdapter();
    expressApp = adapter.getInstance();
    app = await NestFactory.create(ProbeModule, adapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    // Runs before Express sees the request: what Node's server built.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push({
        req: Object.getPrototypeOf(req) as object,
        res: Object.getPrototypeOf(res) as object,
        classes: req instanceof IncomingMessage && res instanceof ServerResponse,
      });
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe`;
  });
  afterAll(() => app.close());

  it("builds requests and responses with Express's prototypes before Express sees them", async () => {
    const res = await fetch(`${url}?a=1`, { headers: { 'user-agent': 'probe' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ agent: 'probe', query: { a: '1' } });
    expect(seen).toHaveLength(1);
    expect(seen[0].req).toBe(expressApp.request);
    expect(seen[0].res).toBe(expressApp.response);
    expect(seen[0].classes).toBe(true);
  });

  it('serves keep-alive requests one after another on the same objects’ shape', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(url)).status).toBe(201);
    expect(seen.slice(1).every((s) => s.req === expressApp.request && s.res === expressApp.response)).toBe(true);
  });
});
