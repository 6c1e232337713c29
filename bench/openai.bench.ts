/**
 * OpenAI-compatible streaming benchmark: streamed POST /v1/chat/completions through Keel (`node
 * dist/main`, its own process) against the fake OpenAI-compatible upstream answering with no
 * delay, on SQLite and (when reachable) PostgreSQL. Keel is provisioned through its console (owner,
 * `openai_api_compatible` provider, chat app, app key) and the model is the first one
 * GET /v1/models lists for that key. Baseline in the same run: the bare node:http proxy of the chat
 * benchmark, its own process, forwarding to the upstream's /chat/completions and piping the SSE
 * bytes back. Reported (medians over rounds): requests/s, time to the first event (p50/p99),
 * server CPU per request, Keel's requests/s as a share of the proxy's, and the `x-keel-overhead-ms`
 * header every answer carries (Keel's time from the request's arrival to the upstream request
 * being sent; p50/p99 per round).
 * Budgets (ARCHITECTURE.md §8): requests/s ≥ 0.6 × the proxy's; overhead p50 ≤ 3 ms.
 *   npm run bench:openai          (builds first)
 */
import { checkOpenAiStream, OVERHEAD_HEADER, openAiModelId } from './support/openai-contract';
import { medianOfRounds, roundRatios, verdictLine } from './support/report';
import { median } from './support/stats';
import { runStreamingBench } from './support/streaming-bench';
import type { Target } from './support/stream-load';
import { BENCH_PROMPT } from './support/upstream';

const BUDGET_RPS_RATIO = 0.6;
const BUDGET_OVERHEAD_P50_MS = 3;

runStreamingBench({
  title: 'streamed chat completions (OpenAI-compatible)',
  keelTarget: async (keel, appKey) => {
    const target: Target = {
      url: `${keel.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: await openAiModelId(keel, appKey),
        stream: true,
        messages: [{ role: 'user', content: BENCH_PROMPT }],
      }),
      recordHeader: OVERHEAD_HEADER,
    };
    await checkOpenAiStream(keel.name, target);
    return target;
  },
  judge: (keel, proxy) => {
    const ratios = roundRatios(keel.results, proxy.results);
    const overheadP50 = medianOfRounds(keel.results, (r) => r.recorded, 50);
    const overheadP99 = medianOfRounds(keel.results, (r) => r.recorded, 99);
    const ok = median(ratios) >= BUDGET_RPS_RATIO && overheadP50 <= BUDGET_OVERHEAD_P50_MS;
    console.log(`    ${OVERHEAD_HEADER} p50 ${overheadP50.toFixed(2)} ms, p99 ${overheadP99.toFixed(2)} ms`);
    console.log(verdictLine(ratios, `≥ ${BUDGET_RPS_RATIO}x, overhead p50 ≤ ${BUDGET_OVERHEAD_P50_MS} ms`, ok));
    return ok;
  },
});
