import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { freePort } from '../support/server-process';

const ROOT = resolve(__dirname, '..', '..');
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8'));
const instructions = dockerfile.getInstructions();

/** The instructions of one stage, from its FROM to the next. */
function stage(name: string): Instruction[] {
  const froms = dockerfile.getFROMs();
  const index = froms.findIndex((f) => f.getBuildStage() === name);
  if (index < 0) throw new Error(`no stage ${name}`);
  const start = instructions.indexOf(froms[index]);
  const end = index + 1 < froms.length ? instructions.indexOf(froms[index + 1]) : instructions.length;
  return instructions.slice(start, end);
}

const of = (list: Instruction[], keyword: string) => list.filter((i) => i.getKeyword() === keyword);
const text = (i: Instruction) => i.getArgumentsContent() ?? '';
const INSTALLS =
  /\b(npm (ci|install|i)\b|yarn( add| install)?\b|pnpm (add|install)\b|apt-get install|apk add|pip install)/;

/** Issue 16: docker/Dockerfile, parsed: the stages, what the image runs as and how, and nothing installed at start. */
describe('the image (docker/Dockerfile)', () => {
  it('parses, with the deps, build and runtime stages in that order', () => {
    expect(dockerfile.getFROMs().map((f) => f.getBuildStage())).toEqual(['deps', 'build', 'runtime']);
    expect(dockerfile.getFROMs()[1].getImageName()).toBe('deps');
    // A --platform=$BUILDPLATFORM on the dependency stage would copy native modules built for the wrong machine.
    for (const from of dockerfile.getFROMs()) expect(from.getPlatformFlag()).toBeNull();
  });

  it('installs exactly the lockfile and builds the native modules in the deps stage', () => {
    const deps = stage('deps');
    const copies = of(deps, 'COPY').map(text).join(' ');
    expect(copies).toContain('package-lock.json');
    expect(of(deps, 'RUN').map(text)).toContainEqual(expect.stringMatching(/^npm ci\b/));
    expect(of(deps, 'RUN').map(text).join(' ')).toMatch(/python3 make g\+\+/);
  });

  it('builds, then prunes to production dependencies, from files that exist', () => {
    const build = stage('build');
    expect(of(build, 'RUN').map(text).join(' ')).toMatch(/npm run build\s+&& npm prune --omit=dev/);
    const sources = [...of(stage('deps'), 'COPY'), ...of(build, 'COPY')].flatMap((copy) => {
      const args = copy.getArguments().map((a) => a.getValue());
      return args.slice(0, -1);
    });
    expect(sources.length).toBeGreaterThan(5);
    for (const path of sources) expect({ path, exists: existsSync(join(ROOT, path)) }).toEqual({ path, exists: true });
  });

  it('runs as a non-root user under tini, with a health check on /health/live and the OCI labels', () => {
    const runtime = stage('runtime');
    expect(dockerfile.getFROMs()[2].getImageName()).toBe('${NODE_RUNTIME_IMAGE}');
    expect(
      instructions.find((i) => i.getKeyword() === 'ARG' && text(i).startsWith('NODE_RUNTIME_IMAGE=')),
    ).toBeDefined();
    expect(text(of(instructions, 'ARG').find((i) => text(i).startsWith('NODE_RUNTIME_IMAGE='))!)).toMatch(/-slim$/);
    const users = of(runtime, 'USER').map(text);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const health = of(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(text(health[0])).toContain('/health/live');
    expect(text(of(runtime, 'ENTRYPOINT')[0])).toBe('["/usr/bin/tini", "--"]');
    expect(of(runtime, 'RUN').map(text).join(' ')).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(text(of(runtime, 'CMD')[0])).toBe('["node", "dist/main.js"]');
    const labels = of(runtime, 'LABEL').map(text).join(' ');
    for (const label of ['title', 'description', 'version', 'revision', 'created', 'source', 'licenses']) {
      expect(labels).toContain(`org.opencontainers.image.${label}=`);
    }
  });

  it("runs a health check that finds the API's port or else the worker's", async () => {
    const health = of(stage('runtime'), 'HEALTHCHECK')[0];
    const argv = JSON.parse(text(health).replace(/^.*?CMD\s+/s, '')) as string[];
    expect(argv[0]).toBe('node');
    let status = 200;
    const server = createServer((req, res) => res.writeHead(req.url === '/health/live' ? status : 404).end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = String((server.address() as AddressInfo).port);
    const closed = String(await freePort());
    const check = (env: Record<string, string>) =>
      new Promise<number | null>((done) =>
        execFile(process.execPath, argv.slice(1), { env: { PATH: process.env.PATH ?? '', ...env } }, (error) =>
          done(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
        ),
      );
    try {
      expect(await check({ PORT: port, WORKER_HEALTH_PORT: closed })).toBe(0);
      expect(await check({ PORT: closed, WORKER_HEALTH_PORT: port })).toBe(0);
      status = 503;
      expect(await check({ PORT: port, WORKER_HEALTH_PORT: closed })).toBe(1);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
    expect(await check({ PORT: closed, WORKER_HEALTH_PORT: closed })).toBe(1);
  });

  it('installs nothing at container start, and carries no compiler or package manager install into the image', () => {
    const runtime = stage('runtime');
    for (const start of [...of(runtime, 'CMD'), ...of(runtime, 'ENTRYPOINT'), ...of(runtime, 'HEALTHCHECK')]) {
      expect(text(start)).not.toMatch(INSTALLS);
    }
    const runs = of(runtime, 'RUN').map(text);
    expect(runs.filter((run) => /\bnpm\b|yarn|pnpm|g\+\+|python3/.test(run))).toEqual([]);
    const copied = of(runtime, 'COPY').map((copy) => {
      const from = (copy as Copy).getFlags().find((flag) => flag.getName() === 'from');
      return `--from=${from?.getValue() ?? ''} ${text(copy)}`;
    });
    expect(copied).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/--from=build .*\/app\/node_modules/),
        expect.stringMatching(/--from=build .*\/app\/dist/),
      ]),
    );
  });

  it('runs the entry points the build makes (API, worker, CLI), and leaves dependencies out of the context', () => {
    const webpack = readFileSync(join(ROOT, 'webpack.config.js'), 'utf8');
    for (const entry of ['main', 'worker', 'cli']) expect(webpack).toMatch(new RegExp(`\\b${entry}: path\\.resolve`));
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const path of ['**/node_modules', 'dist', 'data', '.env', '.git']) expect(ignored).toContain(path);
  });
});
