/**
 * Chat streaming benchmark: streamed POST /v1/chat-messages through Keel (`node dist/main`, its
 * own process) against the fake OpenAI-compatible upstream answering with no delay, on SQLite and
 * (when reachable) PostgreSQL. Baseline in the same run: a bare node:http server, also its own
 * process, proxying the same upstream stream byte for byte. Reported (medians over rounds):
 * requests/s, time to the first event (p50/p99), server CPU per request, and Keel's requests/s
 * as a share of the proxy's.
 * Budgets (issue 9): first event p50 ≤ 15 ms; requests/s ≥ 0.4 × the proxy's.
 *   npm run bench:chat            (builds first)
 */
import { medianOfRounds, roundRatios, verdictLine } from './support/report';
import { median } from './support/stats';
import { runStreamingBench } from './support/streaming-bench';
import { BENCH_PROMPT } from './support/upstream';

const BUDGET_TTFE_P50_MS = 15;
const BUDGET_RPS_RATIO = 0.4;

runStreamingBench({
  title: 'streamed chat',
  // A new conversation each time: no conversation_id.
  keelTarget: async (keel, appKey) => ({
    url: `${keel.url}/v1/chat-messages`,
    headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: {}, query: BENCH_PROMPT, user: 'bench', response_mode: 'streaming' }),
  }),
  judge: (keel, proxy) => {
    const ratios = roundRatios(keel.results, proxy.results);
    const p50 = medianOfRounds(keel.results, (r) => r.ttfe, 50);
    const ok = p50 <= BUDGET_TTFE_P50_MS && median(ratios) >= BUDGET_RPS_RATIO;
    console.log(verdictLine(ratios, `p50 ≤ ${BUDGET_TTFE_P50_MS} ms, ≥ ${BUDGET_RPS_RATIO}x`, ok));
    return ok;
  },
});
