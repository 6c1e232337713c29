import type { ChildProcess } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-databases';
import { startBareProxy } from './bare-proxy';
import { startKeel } from './keel-process';
import { DATABASES } from './knobs';
import { provisionKeel } from './provision-keel';
import type { Result, Target } from './stream-load';

/** A server under test, running for the whole benchmark, and what its rounds measured. */
export interface Contender {
  name: string;
  target: Target;
  child: ChildProcess;
  results: Result[];
  stop(): Promise<void>;
}

/** The request a Keel contender is loaded with, given the running Keel and its app key. */
export type KeelTarget = (keel: { name: string; url: string }, appKey: string) => Promise<Target>;

export async function bareProxyContender(upstreamUrl: string): Promise<Contender> {
  const bare = await startBareProxy(upstreamUrl);
  return {
    name: 'bare node:http proxy',
    // The proxy sends its own fixed request upstream: what is posted to it does not matter.
    target: { url: bare.url, headers: {}, body: '' },
    child: bare.child,
    results: [],
    stop: async () => void bare.child.kill(),
  };
}

const DATABASE_FACTORIES: Array<[string, () => Promise<TestDatabase | undefined>]> = [
  ['sqlite', async () => undefined],
  ['postgres', async () => createTestDatabase('postgres').catch(() => undefined)],
];

/**
 * One Keel per wanted database (SQLite: Keel's embedded default; servers on a throw-away
 * database, skipped when unreachable), each provisioned and pushed onto `contenders` as soon as
 * it is ready, so the caller can stop whatever was started if a later one fails.
 */
export async function addKeelContenders(
  contenders: Contender[],
  upstreamUrl: string,
  keelTarget: KeelTarget,
): Promise<void> {
  for (const [database, create] of DATABASE_FACTORIES.filter(([d]) => DATABASES.includes(d))) {
    const name = `keel (${database})`;
    const db = await create();
    if (database !== 'sqlite' && !db) {
      console.log(`  ${name}: SKIPPED (server not reachable)`);
      continue;
    }
    const keel = await startKeel(db?.env ?? {}).catch(async (error: unknown) => {
      await db?.drop();
      throw error;
    });
    const stop = async () => {
      await keel.stop();
      await db?.drop();
    };
    let target: Target;
    try {
      target = await keelTarget({ name, url: keel.url }, await provisionKeel(keel.url, upstreamUrl));
    } catch (error) {
      await stop();
      throw error;
    }
    contenders.push({ name, target, child: keel.child, results: [], stop });
  }
}
