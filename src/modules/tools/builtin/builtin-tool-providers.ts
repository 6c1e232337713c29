import type { GuardedHttp } from '../../../common/ssrf/guarded-http';
import { loadBuiltinProvider } from './builtin-loader';
import type { BuiltinProviderSource, BuiltinToolProvider } from './builtin-tool-provider';
import { httpProvider } from './http/http.provider';
import { jsonProcessProvider } from './json-process/json-process.provider';
import { timeProvider } from './time/time.provider';
import { webscraperProvider } from './webscraper/webscraper.provider';

export type { BuiltinToolProvider } from './builtin-tool-provider';

/** Every built-in provider Keel ships, in the order the console lists them. */
export const BUILTIN_PROVIDER_SOURCES: readonly BuiltinProviderSource[] = [
  timeProvider,
  httpProvider,
  webscraperProvider,
  jsonProcessProvider,
];

/**
 * The built-in tool providers, their YAML validated and each tool bound to its code. A definition
 * that does not hold throws `BuiltinDefinitionError` naming the file and the field, so a bad one
 * fails the boot (and the unit specs) rather than a call. Every request a tool sends goes through
 * `http`; `now` is the clock of `current_time` (tests pin it).
 */
export function builtinToolProviders(http: GuardedHttp, options: { now?: () => Date } = {}): BuiltinToolProvider[] {
  const deps = { http, now: options.now ?? (() => new Date()) };
  const providers = BUILTIN_PROVIDER_SOURCES.map((source) => loadBuiltinProvider(source, deps));
  const seen = new Set<string>();
  for (const provider of providers) {
    if (seen.has(provider.name)) throw new Error(`Two built-in tool providers are named "${provider.name}"`);
    seen.add(provider.name);
  }
  return providers;
}
