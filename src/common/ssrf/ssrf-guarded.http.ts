import { errorMessage } from '../errors/error-message';
import { lookup } from 'node:dns/promises';
import {
  type ClientRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  request as httpRequest,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { CancelSignal } from '../lifecycle/cancel-signal';
import { GuardedHttp, type GuardedRequest, type GuardedResponse } from './guarded-http';
import { OutboundRequestFailedException } from './outbound-request-failed.exception';
import { SsrfBlockedException } from './ssrf-blocked.exception';
import {
  type AllowedDestination,
  type HostResolver,
  originOf,
  type SsrfDecision,
  SsrfPolicy,
  type SsrfPolicyOptions,
} from './ssrf-policy';

export interface SsrfGuardedHttpOptions extends SsrfPolicyOptions {
  /** `SSRF_MAX_RESPONSE_BYTES`: the largest response body read; a request may ask for less. */
  maxResponseBytes?: number;
  /** Redirects followed per request, each hop checked again. */
  maxRedirects?: number;
  /** DNS lookup, TCP connect and TLS handshake of one hop, each bounded by this. */
  connectTimeoutMs?: number;
  /** The longest silence while waiting for the response head or between two body chunks. */
  readTimeoutMs?: number;
  /** Resolves hostnames; default `dns.promises.lookup(host, {all: true})`. Tests inject their own. */
  resolver?: HostResolver;
  /** Extra CA certificates trusted for https (tests; operators use NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer | Array<string | Buffer>;
}

export const SSRF_DEFAULTS = {
  maxResponseBytes: 10 * 1024 * 1024,
  maxRedirects: 3,
  connectTimeoutMs: 10_000,
  readTimeoutMs: 60_000,
} as const;

export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true });

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Set by the guard itself, or hop-by-hop headers a caller must not steer (Upgrade, Connection). */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
]);
/** Dropped when a redirect leaves the origin they were meant for. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

type HopResult =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer }
  | { kind: 'redirect'; status: number; location: string };

/**
 * The SSRF guard over node:http(s). Per hop: the host is resolved once, every address is checked
 * by `SsrfPolicy`, and the socket connects to the approved address itself (the request's `host`
 * is that IP; the URL's hostname travels as the `Host` header and, for https, as SNI and the name
 * the certificate is verified against) — a DNS answer that changes between check and connect
 * (rebinding) has nothing to change. Each hop gets its own connection (`agent: false`): no pooled
 * socket can carry a request to a destination that was not checked. Redirects are followed by
 * hand, at most `maxRedirects`, each one checked like the first.
 */
export class SsrfGuardedHttp extends GuardedHttp {
  readonly policy: SsrfPolicy;
  private readonly logger = new Logger('SsrfGuard');
  private readonly maxResponseBytes: number;
  private readonly maxRedirects: number;
  private readonly connectTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly resolver: HostResolver;
  private readonly ca?: SsrfGuardedHttpOptions['ca'];

  constructor(options: SsrfGuardedHttpOptions = {}) {
    super();
    this.policy = new SsrfPolicy(options);
    this.maxResponseBytes = options.maxResponseBytes ?? SSRF_DEFAULTS.maxResponseBytes;
    this.maxRedirects = options.maxRedirects ?? SSRF_DEFAULTS.maxRedirects;
    this.connectTimeoutMs = options.connectTimeoutMs ?? SSRF_DEFAULTS.connectTimeoutMs;
    this.readTimeoutMs = options.readTimeoutMs ?? SSRF_DEFAULTS.readTimeoutMs;
    this.resolver = options.resolver ?? systemResolver;
    this.ca = options.ca;
  }

  async request(request: GuardedRequest): Promise<GuardedResponse> {
    const { signal } = request;
    if (signal?.aborted) throw aborted(signal);
    let method = request.method.toUpperCase();
    if (!METHODS.has(method)) {
      throw new OutboundRequestFailedException('invalid_request', `The method ${method} cannot be used here.`);
    }
    const limit = Math.min(request.maxResponseBytes ?? Infinity, this.maxResponseBytes);
    let headers = callerHeaders(request.headers);
    let body = request.body === undefined ? undefined : Buffer.from(request.body);
    let url = this.policy.parseUrl(request.url);

    for (let hop = 0; ; hop++) {
      const decision = await this.evaluate(url, signal);
      if (!decision.allowed) {
        this.logger.warn(
          `Blocked an outbound request to ${decision.origin}${hop > 0 ? ` (redirect ${hop})` : ''}: ` +
            `${decision.hostname}${decision.hostname === decision.address ? '' : ` (${decision.address})`} ` +
            `matched rule ${decision.rule}`,
        );
        throw new SsrfBlockedException(decision.message, decision.rule);
      }
      const result = await this.exchange(decision, method, headers, body, limit, signal);
      if (result.kind === 'response') {
        return { status: result.status, headers: result.headers, body: result.body, url: url.href };
      }

      if (hop >= this.maxRedirects) {
        throw new OutboundRequestFailedException(
          'too_many_redirects',
          `Too many redirects (more than ${this.maxRedirects}); the last came from ${decision.origin}.`,
        );
      }
      let next: URL;
      try {
        next = new URL(result.location, url);
      } catch {
        throw new OutboundRequestFailedException(
          'invalid_url',
          `${decision.origin} redirected to something that is not a URL.`,
        );
      }
      next = this.policy.parseUrl(next);
      // What browsers and fetch do: 303 becomes GET (HEAD stays HEAD); so does a POST after 301/302.
      if ((result.status === 303 && method !== 'HEAD') || (method === 'POST' && result.status <= 302)) {
        method = 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('content-')));
      }
      if (originOf(next) !== decision.origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
      }
      url = next;
    }
  }

  /** The policy's decision on one hop; resolution is bounded by the connect timeout and the signal. */
  private evaluate(url: URL, signal: CancelSignal | undefined): Promise<SsrfDecision> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(
          new OutboundRequestFailedException(
            'dns',
            `Cannot resolve ${url.hostname} within ${this.connectTimeoutMs} ms (timeout).`,
          ),
        );
      }, this.connectTimeoutMs);
      const onAbort = () => {
        done();
        reject(aborted(signal));
      };
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort);
      this.policy.evaluate(url, this.resolver).then(
        (decision) => {
          done();
          resolve(decision);
        },
        (error: unknown) => {
          done();
          reject(error as Error);
        },
      );
    });
  }

  /** One request and its response on a fresh connection to the approved address. */
  private exchange(
    destination: AllowedDestination,
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    limit: number,
    signal: CancelSignal | undefined,
  ): Promise<HopResult> {
    const { url, origin } = destination;
    const https = url.protocol === 'https:';
    const outHeaders: OutgoingHttpHeaders = { ...headers, host: url.host };
    if (body !== undefined) outHeaders['content-length'] = body.length;
    const options: RequestOptions & { servername?: string; ca?: SsrfGuardedHttpOptions['ca'] } = {
      host: destination.address,
      port: Number(url.port) || (https ? 443 : 80),
      method,
      path: `${url.pathname}${url.search}`,
      headers: outHeaders,
      agent: false,
    };
    if (https) {
      // SNI and certificate verification against the name (an IP literal is verified as an IP).
      if (!isIP(destination.hostname)) options.servername = destination.hostname;
      if (this.ca) options.ca = this.ca;
    }
    if (url.username || url.password) {
      options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    }

    return new Promise((resolve, reject) => {
      let settled = false;
      let connected = false;
      let responded = false;
      let req: ClientRequest | undefined;

      const settle = () => {
        settled = true;
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        if (settled) return;
        settle();
        req?.destroy();
        reject(error);
      };
      const onAbort = () => fail(aborted(signal));
      const connectTimer = setTimeout(
        () =>
          fail(
            new OutboundRequestFailedException(
              'connect_timeout',
              `Cannot connect to ${origin} within ${this.connectTimeoutMs} ms (connect timeout).`,
            ),
          ),
        this.connectTimeoutMs,
      );

      if (signal?.aborted) {
        onAbort();
        return;
      }
      try {
        req = (https ? httpsRequest : httpRequest)(options);
      } catch (error) {
        // Node validates header names and values synchronously (no value is quoted).
        const reason = errorMessage(error);
        fail(new OutboundRequestFailedException('invalid_request', `The request cannot be sent: ${reason}`, error));
        return;
      }
      signal?.addEventListener('abort', onAbort);

      req.on('socket', (socket: Socket) => {
        socket.once(https ? 'secureConnect' : 'connect', () => {
          connected = true;
          clearTimeout(connectTimer);
        });
      });
      // Armed once the socket connects; re-armed by every byte that arrives.
      req.setTimeout(this.readTimeoutMs, () =>
        fail(
          new OutboundRequestFailedException(
            'read_timeout',
            responded
              ? `${origin} sent nothing for ${this.readTimeoutMs} ms in the middle of its response (read timeout).`
              : `${origin} did not answer within ${this.readTimeoutMs} ms (read timeout).`,
          ),
        ),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.message;
        if (responded) fail(closedEarly(origin, error));
        else if (connected) {
          fail(
            new OutboundRequestFailedException(
              'closed',
              `${origin} closed the connection without answering (${code}).`,
              error,
            ),
          );
        } else fail(new OutboundRequestFailedException('connect', `Cannot connect to ${origin} (${code}).`, error));
      });

      req.on('response', (res) => {
        responded = true;
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECT_STATUSES.has(status) && location) {
          settle();
          req?.destroy();
          resolve({ kind: 'redirect', status, location });
          return;
        }
        const tooLarge = () =>
          new OutboundRequestFailedException(
            'too_large',
            `The response from ${origin} is larger than ${limit} bytes (the limit).`,
          );
        if (method !== 'HEAD' && Number(res.headers['content-length']) > limit) {
          fail(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) fail(tooLarge());
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settle();
          resolve({ kind: 'response', status, headers: res.headers, body: Buffer.concat(chunks, size) });
        });
        res.on('error', (error) => fail(closedEarly(origin, error)));
        res.on('close', () => {
          if (!res.complete) fail(closedEarly(origin));
        });
      });

      req.end(body);
    });
  }
}

/** The caller's headers with lower-case names, minus those the guard sets or refuses to pass. */
function callerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (!RESERVED_HEADERS.has(lower)) out[lower] = value;
  }
  return out;
}

function aborted(signal: CancelSignal | undefined): OutboundRequestFailedException {
  return new OutboundRequestFailedException('aborted', 'The request was aborted.', signal?.reason);
}

function closedEarly(origin: string, cause?: unknown): OutboundRequestFailedException {
  return new OutboundRequestFailedException(
    'closed',
    `${origin} closed the connection before the response was complete.`,
    cause,
  );
}
