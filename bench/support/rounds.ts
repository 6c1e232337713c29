import type { Contender } from './contenders';
import { ROUNDS } from './knobs';
import { measure } from './stream-load';

/**
 * Every contender runs at once, but only one is loaded at a time, in rounds: proxy, Keel on each
 * database, again, and one closing proxy round. A shared machine's speed drifts by tens of percent
 * within a minute, so each Keel round is compared with the proxy rounds on both sides of it (see
 * `roundRatios`), and the verdict uses the medians.
 */
export async function runRounds(contenders: Contender[]): Promise<void> {
  const [proxy] = contenders;
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of contenders) contender.results.push(await measure(contender.target, contender.child));
  }
  proxy.results.push(await measure(proxy.target, proxy.child));
}
