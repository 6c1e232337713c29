import { ApiException } from '../errors/api.exception';
import { SsrfErrorCode } from './ssrf-blocked.exception';

/** Why an outbound request through the guard failed, other than the policy refusing it. */
export type OutboundFailure =
  | 'invalid_url'
  | 'invalid_request'
  | 'dns'
  | 'connect'
  | 'connect_timeout'
  | 'read_timeout'
  | 'too_many_redirects'
  | 'too_large'
  | 'closed'
  | 'aborted';

/**
 * An outbound request through the SSRF guard that could not be made or completed. The message says
 * what happened with the destination's origin only (scheme, host, port: never a path or query,
 * which may carry keys).
 */
export class OutboundRequestFailedException extends ApiException {
  constructor(
    readonly failure: OutboundFailure,
    message: string,
    cause?: unknown,
  ) {
    super(400, SsrfErrorCode.OutboundRequestFailed, message, { cause });
  }
}
