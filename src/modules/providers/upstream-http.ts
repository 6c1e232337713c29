import {
  type ClientRequest,
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import packageJson from '../../../package.json';
import type { CancelSignal } from '../../common/lifecycle/cancel-signal';
import { UpstreamError } from './upstream.error';

/*
 * Why not the official `openai` SDK: on the chat hot path (`npm run bench:chat`, a streamed chat
 * against a loopback upstream) the SDK and the fetch adapter it needed took ~22% of Keel's CPU per
 * request — WHATWG Headers/Response, web streams, its request building, debug-log formatting, SSE
 * decoding through web streams, AbortSignal plumbing. Keel makes three calls (a streamed chat, a
 * one-token probe, the model list); this client makes them on node:http(s) with keep-alive pools,
 * with the SDK's retry rules, and eventsource-parser reads the stream (openai-chat.client.ts).
 */

// Keep-alive pools shared by every upstream call of this process. OpenTelemetry's http
// instrumentation traces these requests like any other node:http call.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

const USER_AGENT = `keel/${packageJson.version}`;
/** An error answer is read this far for its reason; the rest is dropped. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** Answers above this size are refused rather than buffered (a model list is a few KB). */
const JSON_BODY_LIMIT = 16 * 1024 * 1024;
/** A server's `Retry-After` is honoured up to this long; beyond it, the usual backoff applies. */
const MAX_RETRY_AFTER_MS = 60_000;

export interface UpstreamClientOptions {
  /** Until the response headers, and the longest silence between two body chunks. */
  timeoutMs: number;
  /** Retries on 408/409/429/5xx, connection errors and timeouts, before any body is read. */
  maxRetries: number;
}

export interface UpstreamEndpoint {
  /** `/v1` included; a trailing slash is fine. */
  baseURL: string;
  /** Sent as a bearer token when set; nothing is read from the environment. */
  apiKey?: string;
  organization?: string;
}

const noop = () => undefined;

/** One HTTP exchange with the upstream, from the request to the end of the response body. */
export class UpstreamCall {
  res!: IncomingMessage;
  private timedOut = false;
  private error?: Error;
  private readonly onAbort = () => this.req.destroy();

  constructor(
    readonly req: ClientRequest,
    private readonly signal: CancelSignal | undefined,
    private readonly timeoutMs: number,
  ) {
    // Socket errors can still arrive after the response: the request keeps a listener for life.
    req.on('error', (error) => (this.error ??= error));
    req.on('timeout', () => {
      this.timedOut = true;
      req.destroy();
    });
    signal?.addEventListener('abort', this.onAbort);
  }

  /** Why the exchange broke off: the caller's abort, the timeout, or the connection. */
  failure(): UpstreamError {
    if (this.signal?.aborted) return UpstreamError.aborted(this.error);
    const cause = { cause: this.error };
    if (!this.res) {
      if (this.timedOut) {
        return new UpstreamError('other', `The model provider did not answer within ${this.timeoutMs} ms (timeout).`);
      }
      const reason = this.error?.message || 'the connection closed';
      return new UpstreamError('other', `Cannot reach the model provider: ${reason}`, undefined, cause);
    }
    if (this.timedOut) {
      return new UpstreamError(
        'other',
        `The model provider sent nothing for ${this.timeoutMs} ms mid-answer (timeout).`,
        this.res.statusCode,
      );
    }
    return new UpstreamError(
      'other',
      'The model provider closed the connection before the answer was complete.',
      this.res.statusCode,
      cause,
    );
  }

  /**
   * Ends the exchange: stops listening to the caller's signal; a response that has fully arrived
   * (or any, with `drain`) is read away so that its socket goes back to the pool at its end, and
   * anything else is destroyed. (A kept-alive socket is freed only once its response is consumed.)
   */
  close(drain = false): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    const res = this.res as IncomingMessage | undefined;
    if (res && (drain || res.complete)) res.resume();
    else this.req.destroy();
  }

  /** The whole body as text, up to `limit` characters (`truncated` when there was more). */
  readText(limit: number): Promise<{ text: string; truncated: boolean }> {
    const res = this.res;
    // Broken off before this reader came (its unread data is gone, its 'close' may be past).
    if (res.destroyed) {
      this.close();
      return Promise.reject(this.failure());
    }
    res.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      let text = '';
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > limit) {
          this.close();
          resolve({ text: text.slice(0, limit), truncated: true });
        }
      });
      res.once('end', () => {
        this.close();
        resolve({ text, truncated: false });
      });
      res.once('close', () => {
        if (res.complete) return;
        this.close();
        reject(this.failure());
      });
    });
  }

  /** A non-2xx answer as an `UpstreamError` with the upstream's reason. */
  async readError(): Promise<UpstreamError> {
    let text: string;
    try {
      ({ text } = await this.readText(ERROR_BODY_LIMIT));
    } catch (error) {
      return error as UpstreamError;
    }
    return UpstreamError.fromResponse(this.res.statusCode ?? 0, this.res.statusMessage, text);
  }

  async readJson(): Promise<unknown> {
    const { text, truncated } = await this.readText(JSON_BODY_LIMIT);
    if (truncated) throw new UpstreamError('other', 'The model provider sent an answer too large to read.');
    try {
      return JSON.parse(text);
    } catch {
      throw new UpstreamError('other', 'The model provider sent an answer that is not JSON.', this.res.statusCode);
    }
  }
}

/** An OpenAI-style HTTP API at one base URL, with one key. Cheap to build: the sockets are pooled per process. */
export class UpstreamHttpClient {
  private readonly send: typeof httpRequest;
  private readonly agent: HttpAgent;
  private readonly hostname: string;
  private readonly port: number;
  private readonly basePath: string;
  private readonly auth?: string;
  private readonly headers: OutgoingHttpHeaders;

  constructor(
    endpoint: UpstreamEndpoint,
    readonly options: UpstreamClientOptions,
  ) {
    const url = new URL(endpoint.baseURL);
    const https = url.protocol === 'https:';
    this.send = https ? httpsRequest : httpRequest;
    this.agent = https ? agents.https : agents.http;
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port ? Number(url.port) : https ? 443 : 80;
    this.basePath = url.pathname.replace(/\/+$/, '');
    if (url.username) this.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    this.headers = { 'User-Agent': USER_AGENT };
    if (endpoint.apiKey) this.headers.Authorization = `Bearer ${endpoint.apiKey}`;
    if (endpoint.organization) this.headers['OpenAI-Organization'] = endpoint.organization;
  }

  /**
   * Sends a request and waits for a 2xx response, retrying like the openai SDK: connection errors,
   * timeouts, 408/409/429/5xx (or what `x-should-retry` says), at most `maxRetries` times, waiting
   * what `Retry-After` asks or an exponential backoff. Nothing is retried once a body is being read.
   * Any other answer throws its `UpstreamError`; so does the caller's abort, at once.
   *
   * `onOk` is called as the 2xx response arrives, in the same tick: a reader attached there sees
   * every byte, even when the connection breaks right after (Node drops a broken response's
   * unread data).
   */
  async open(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    accept: string,
    signal?: CancelSignal,
    onOk?: (call: UpstreamCall) => void,
  ): Promise<UpstreamCall> {
    const headers: OutgoingHttpHeaders = { ...this.headers, Accept: accept };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    for (let retries = 0; ; retries++) {
      const retriesLeft = retries < this.options.maxRetries;
      let call: UpstreamCall;
      try {
        call = await this.attempt(method, path, headers, body, signal, onOk);
      } catch (error) {
        const failure = error as UpstreamError;
        if (!retriesLeft || failure.failure === 'aborted') throw failure;
        await wait(retryDelayMs(undefined, retries), signal);
        continue;
      }
      const status = call.res.statusCode ?? 0;
      if (status >= 200 && status < 300) return call;
      if (retriesLeft && shouldRetry(status, call.res.headers)) {
        call.close(true);
        await wait(retryDelayMs(call.res.headers, retries), signal);
        continue;
      }
      throw await call.readError();
    }
  }

  private attempt(
    method: string,
    path: string,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
    signal: CancelSignal | undefined,
    onOk: ((call: UpstreamCall) => void) | undefined,
  ): Promise<UpstreamCall> {
    if (signal?.aborted) return Promise.reject(UpstreamError.aborted(signal.reason));
    return new Promise((resolve, reject) => {
      const req = this.send({
        hostname: this.hostname,
        port: this.port,
        path: this.basePath + path,
        method,
        headers,
        auth: this.auth,
        agent: this.agent,
        timeout: this.options.timeoutMs,
      });
      const call = new UpstreamCall(req, signal, this.options.timeoutMs);
      req.once('response', (res: IncomingMessage) => {
        call.res = res;
        // Destroying a half-read response emits its error; `failure()` says what happened.
        res.on('error', noop);
        const status = res.statusCode ?? 0;
        if (onOk && status >= 200 && status < 300) onOk(call);
        resolve(call);
      });
      req.once('close', () => {
        if (call.res) return;
        call.close();
        reject(call.failure());
      });
      req.end(body);
    });
  }
}

export function shouldRetry(status: number, headers: IncomingHttpHeaders): boolean {
  const hint = headers['x-should-retry'];
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long to wait before retry number `retries + 1`: the server's `retry-after-ms` or `retry-after`
 * (seconds or an HTTP date) when it asks for at most a minute, else 0.5 s × 2^retries, at most 8 s,
 * less up to 25% jitter.
 */
export function retryDelayMs(headers: IncomingHttpHeaders | undefined, retries: number, now = Date.now()): number {
  const asked = askedDelayMs(headers, now);
  if (asked !== undefined && asked > 0 && asked <= MAX_RETRY_AFTER_MS) return asked;
  const seconds = Math.min(0.5 * 2 ** retries, 8);
  return seconds * (1 - Math.random() * 0.25) * 1000;
}

function askedDelayMs(headers: IncomingHttpHeaders | undefined, now: number): number | undefined {
  const ms = headers?.['retry-after-ms'];
  if (typeof ms === 'string') {
    const value = parseFloat(ms);
    if (!Number.isNaN(value)) return value;
  }
  const after = headers?.['retry-after'];
  if (typeof after !== 'string') return undefined;
  const seconds = parseFloat(after);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - now;
}

/** Waits `ms`; the caller's abort ends the wait at once with an 'aborted' error. */
function wait(ms: number, signal: CancelSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(UpstreamError.aborted(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(UpstreamError.aborted(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
