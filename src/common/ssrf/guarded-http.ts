import type { CancelSignal } from '../lifecycle/cancel-signal';

/** One outbound request that a user or a model can steer (a tool call, a schema URL, a page). */
export interface GuardedRequest {
  method: string;
  /** http(s) only; any other scheme is refused. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Lower than the guard's own cap (`SSRF_MAX_RESPONSE_BYTES`) when the caller needs less. */
  maxResponseBytes?: number;
  signal?: CancelSignal;
}

export interface GuardedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

/**
 * The only way Keel sends a request whose destination a user or a model chose: every hop's host is
 * resolved once, checked against the SSRF policy and connected to at exactly that address. A
 * blocked destination throws `SsrfBlockedException` (400 `ssrf_blocked`); the injectable
 * implementation is provided by `SsrfModule`.
 */
export abstract class GuardedHttp {
  abstract request(request: GuardedRequest): Promise<GuardedResponse>;
}
