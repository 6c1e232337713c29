import { numericHeader, type Target } from './stream-load';

/** Keel's own time on a request: from its arrival to the upstream request being sent, in ms. */
export const OVERHEAD_HEADER = 'x-keel-overhead-ms';

const NEEDS = "this bench needs Keel's OpenAI-compatible API (GET /v1/models, streamed POST /v1/chat/completions)";

/** Fails with what was asked, what came back and what the bench needs. */
function contractError(who: string, what: string, detail: string): Error {
  return new Error(`${who}: ${what} ${detail}; ${NEEDS}`);
}

function excerpt(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The model an app key reaches: `GET /v1/models` answers `{ object: 'list', data: [{ id, … }] }`. */
export async function openAiModelId(keel: { name: string; url: string }, appKey: string): Promise<string> {
  const what = 'GET /v1/models';
  let res: Response;
  try {
    res = await fetch(`${keel.url}/v1/models`, { headers: { authorization: `Bearer ${appKey}` } });
  } catch (error) {
    throw contractError(keel.name, what, `failed: ${(error as Error).message}`);
  }
  const text = await res.text();
  if (res.status !== 200) throw contractError(keel.name, what, `answered ${res.status} ${excerpt(text)}`);
  let list: { object?: unknown; data?: Array<{ id?: unknown }> };
  try {
    list = JSON.parse(text) as typeof list;
  } catch {
    throw contractError(keel.name, what, `answered 200 but not JSON: ${excerpt(text)}`);
  }
  const id = list.object === 'list' && Array.isArray(list.data) ? list.data[0]?.id : undefined;
  if (typeof id !== 'string' || id === '') {
    throw contractError(keel.name, what, `answered no { object: "list", data: [{ id }] }: ${excerpt(text)}`);
  }
  return id;
}

/**
 * One request of the load, read whole, before any is timed: a 200 `text/event-stream` of
 * `chat.completion.chunk` frames ending with `data: [DONE]`, carrying the overhead header. The
 * load itself only times and drains, so a wrong answer would otherwise be measured as a fast one.
 */
export async function checkOpenAiStream(keelName: string, target: Target): Promise<void> {
  const what = 'streamed POST /v1/chat/completions';
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const text = await res.text();
  if (res.status !== 200) throw contractError(keelName, what, `answered ${res.status} ${excerpt(text)}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream')) {
    throw contractError(keelName, what, `answered content-type "${type}", not text/event-stream`);
  }
  const overhead = numericHeader(res, OVERHEAD_HEADER);
  if (typeof overhead === 'string') throw contractError(keelName, what, `answered ${overhead}`);
  // The data of each event; frames without data (keep-alive comments) are not events.
  const data = text
    .split(/\r?\n\r?\n/)
    .map((frame) => frame.split(/\r?\n/).filter((line) => line.startsWith('data:')))
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.map((line) => line.slice(5).trimStart()).join('\n'));
  if (data.at(-1) !== '[DONE]') {
    throw contractError(
      keelName,
      what,
      `did not end with "data: [DONE]" (its last bytes: ${JSON.stringify(text.slice(-200))})`,
    );
  }
  const chunks = data.slice(0, -1);
  const isChunk = (payload: string) => {
    try {
      return (JSON.parse(payload) as { object?: unknown }).object === 'chat.completion.chunk';
    } catch {
      return false;
    }
  };
  if (chunks.length === 0 || !chunks.every(isChunk)) {
    throw contractError(keelName, what, `sent frames other than chat.completion.chunk: ${excerpt(text)}`);
  }
}
