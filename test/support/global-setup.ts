import { probe, recordAvailability, SERVICES, type ServiceName } from './services';

export default async function globalSetup(): Promise<void> {
  const names = Object.keys(SERVICES) as ServiceName[];
  const results = await Promise.all(names.map(async (name) => [name, await probe(name)] as const));
  const missing = results.filter(([, up]) => !up).map(([name]) => name);
  recordAvailability(results.filter(([, up]) => up).map(([name]) => name));

  if (missing.length === 0) return;
  const lines = missing.map((name) => `${SERVICES[name].label} is not reachable (start it: ${SERVICES[name].start})`);
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`REQUIRE_SERVICES=1 but:\n${lines.join('\n')}`);
  }
  for (const line of lines) process.stdout.write(`\nSKIPPED suites needing ${line}\n`);
}
