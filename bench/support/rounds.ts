import type { Contender } from './contenders';
import { ROUNDS } from './knobs';
import { measure } from './stream-load';

/**
 * Every contender runs at once, but only one is loaded at a time, in rounds: proxy, Keel on each
 * database, again. A shared machine's speed drifts by tens of percent within a minute; each Keel
 * round is compared with the proxy round just before it, and the verdict uses the medians.
 */
export async function runRounds(contenders: Contender[]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of contenders) contender.results.push(await measure(contender.target, contender.child));
  }
}
