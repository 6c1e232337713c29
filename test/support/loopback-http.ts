import { request as httpRequest } from 'node:http';
import type { GuardedHttp, GuardedRequest, GuardedResponse } from '../../src/common/ssrf/guarded-http';

/**
 * A stand-in for the SSRF guard in unit specs of the code that sends requests through it: plain
 * node:http to 127.0.0.1 only, no redirects, no size cap. Suites that test the guard itself, or
 * the whole path, use the real `SsrfGuardedHttp` with an allowlist.
 */
export class LoopbackHttp implements GuardedHttp {
  readonly requests: GuardedRequest[] = [];

  request(req: GuardedRequest): Promise<GuardedResponse> {
    this.requests.push(req);
    const url = new URL(req.url);
    if (url.hostname !== '127.0.0.1') return Promise.reject(new Error(`LoopbackHttp: ${url.hostname} is not loopback`));
    return new Promise((resolve, reject) => {
      const out = httpRequest(url, { method: req.method, headers: req.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: req.url }),
        );
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(req.body);
    });
  }
}
