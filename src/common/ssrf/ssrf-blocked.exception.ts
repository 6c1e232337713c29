import { ApiException } from '../errors/api.exception';

/** The codes of the SSRF guard's errors (the `code` of the error envelope). */
export enum SsrfErrorCode {
  /** The destination is not reachable under the SSRF policy (private, loopback, not allowlisted, …). */
  Blocked = 'ssrf_blocked',
  /** The request could not be made or completed: bad URL or scheme, DNS, timeouts, size, redirects. */
  OutboundRequestFailed = 'outbound_request_failed',
}

/**
 * An outbound request to a destination the SSRF policy refuses. The message names the rule (e.g.
 * "a private address (RFC 1918)") and how an operator can allow it; it never carries the URL's
 * path or query, nor the address an internal name resolved to.
 */
export class SsrfBlockedException extends ApiException {
  constructor(
    message: string,
    /** Which rule refused it: a range name (`private`, `loopback`, …) or `not_allowlisted`. */
    readonly rule: string,
  ) {
    super(400, SsrfErrorCode.Blocked, message);
  }
}
