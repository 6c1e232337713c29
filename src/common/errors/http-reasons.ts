import { STATUS_CODES } from 'node:http';

/**
 * Dify's error `code` for framework errors is the snake_case reason of its WSGI stack (Werkzeug),
 * which differs from Node's wording in places (413 is "Request Entity Too Large" there).
 */
const REASONS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: 'The browser (or proxy) sent a request that this server could not understand.' },
  401: {
    code: 'unauthorized',
    message:
      "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.",
  },
  403: {
    code: 'forbidden',
    message:
      "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
  },
  404: {
    code: 'not_found',
    message:
      'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  },
  405: { code: 'method_not_allowed', message: 'The method is not allowed for the requested URL.' },
  406: {
    code: 'not_acceptable',
    message:
      'The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.',
  },
  408: {
    code: 'request_timeout',
    message:
      "The server closed the network connection because the browser didn't finish the request within the specified time.",
  },
  409: { code: 'conflict', message: 'A conflict happened while processing the request.' },
  410: {
    code: 'gone',
    message: 'The requested URL is no longer available on this server and there is no forwarding address.',
  },
  411: { code: 'length_required', message: 'A request with this method requires a valid Content-Length header.' },
  412: {
    code: 'precondition_failed',
    message: 'The precondition on the request for the URL failed positive evaluation.',
  },
  413: { code: 'request_entity_too_large', message: 'The data value transmitted exceeds the capacity limit.' },
  414: {
    code: 'request_uri_too_large',
    message: 'The length of the requested URL exceeds the capacity limit for this server.',
  },
  415: {
    code: 'unsupported_media_type',
    message: 'The server does not support the media type transmitted in the request.',
  },
  416: { code: 'requested_range_not_satisfiable', message: 'The server cannot provide the requested range.' },
  422: {
    code: 'unprocessable_entity',
    message: 'The request was well-formed but was unable to be followed due to semantic errors.',
  },
  429: { code: 'too_many_requests', message: 'This user has exceeded an allotted request count. Try again later.' },
  431: { code: 'request_header_fields_too_large', message: 'One or more header fields exceeds the maximum size.' },
  500: { code: 'internal_server_error', message: 'Internal Server Error' },
  501: { code: 'not_implemented', message: 'The server does not support the action requested by the browser.' },
  502: { code: 'bad_gateway', message: 'The proxy server received an invalid response from an upstream server.' },
  503: {
    code: 'service_unavailable',
    message:
      'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.',
  },
  504: { code: 'gateway_timeout', message: 'The connection to an upstream server timed out.' },
};

export function httpReason(status: number): { code: string; message: string } {
  const known = REASONS[status];
  if (known) return known;
  const phrase = STATUS_CODES[status] ?? 'Error';
  return {
    code: phrase
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, ''),
    message: phrase,
  };
}
