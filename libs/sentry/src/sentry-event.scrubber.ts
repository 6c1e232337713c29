import type { Breadcrumb, Event } from '@sentry/core';

export const FILTERED = '[Filtered]';

const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
]);

/** Field names whose values are secrets wherever they appear (bodies, query strings, extras). */
const SENSITIVE_KEY =
  /pass(word|wd|phrase)?$|secret|token|api[-_]?key|apikey|authorization|cookie|credential|private[-_]?key|signature|^code$|^dsn$/i;

/**
 * Routes whose whole body is a secret (passwords, codes, tokens) or holds provider credentials:
 * their bodies are dropped, not scrubbed field by field.
 */
const SECRET_BODY_PATH =
  /^\/console\/api\/(login|logout|refresh-token|setup|init|activate|forgot-password|email-code-login|reset-password|oauth|account\/password|workspaces\/current\/(model-providers|tool-provider|plugin))(\/|$|\?)/;

/** Removes credentials from an event before it leaves the process (`beforeSend`). */
export function scrubEvent<T extends Event>(event: T): T {
  const request = event.request;
  if (request) {
    if (request.headers) request.headers = scrubHeaders(request.headers);
    delete request.cookies;
    if (request.query_string !== undefined) request.query_string = scrubQuery(request.query_string);
    if (request.url) request.url = scrubUrl(request.url);
    if (request.data !== undefined) {
      request.data = isSecretBodyPath(request.url) ? FILTERED : scrubValue(request.data);
    }
  }
  if (event.user) {
    delete event.user.ip_address;
    delete event.user.email;
  }
  if (event.extra) event.extra = scrubValue(event.extra) as Record<string, unknown>;
  if (event.contexts) event.contexts = scrubValue(event.contexts) as T['contexts'];
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb);
  return event;
}

export function scrubBreadcrumb(breadcrumb: Breadcrumb): Breadcrumb {
  if (!breadcrumb.data) return breadcrumb;
  const data = scrubValue(breadcrumb.data) as Record<string, unknown>;
  if (typeof data.url === 'string') data.url = scrubUrl(data.url);
  return { ...breadcrumb, data };
}

function isSecretBodyPath(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return SECRET_BODY_PATH.test(new URL(url, 'http://placeholder').pathname);
  } catch {
    return false;
  }
}

function scrubHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SENSITIVE_HEADERS.has(name.toLowerCase()) || SENSITIVE_KEY.test(name) ? FILTERED : value;
  }
  return out;
}

type QueryString = NonNullable<NonNullable<Event['request']>['query_string']>;

function scrubQuery(query: QueryString): QueryString {
  if (typeof query === 'string') return scrubSearch(query);
  if (Array.isArray(query)) return query.map(([k, v]): [string, string] => [k, SENSITIVE_KEY.test(k) ? FILTERED : v]);
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, SENSITIVE_KEY.test(k) ? FILTERED : v]));
}

function scrubSearch(search: string): string {
  const params = new URLSearchParams(search);
  for (const key of [...params.keys()]) if (SENSITIVE_KEY.test(key)) params.set(key, FILTERED);
  return params.toString();
}

function scrubUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  return `${url.slice(0, queryAt)}?${scrubSearch(url.slice(queryAt + 1))}`;
}

/** Deep copy with every sensitive field's value replaced; strings that hold JSON are parsed first. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 12) return FILTERED;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return scrubValue(JSON.parse(trimmed), depth);
      } catch {
        return SENSITIVE_KEY.test(value) ? FILTERED : value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) ? FILTERED : scrubValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
