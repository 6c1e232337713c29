import { FakeOpenAiUpstream } from '../../test/support/fake-openai-upstream';

/** The one model the upstream serves and every contender streams from. */
export const BENCH_MODEL = 'gpt-4o-mini';
/** Every contender asks the same question, so every answer is the same stream of chunks. */
export const BENCH_PROMPT = 'hello bench';

/** The fake OpenAI-compatible upstream on loopback, answering with no delay. */
export function startUpstream(): Promise<FakeOpenAiUpstream> {
  return new FakeOpenAiUpstream({ models: [BENCH_MODEL] }).start();
}
