// Drives Keel with Dify's own npm SDK (dify-client, ESM-only), as a Dify user's code would.
// Run by test/e2e/dify-client-sdk.e2e-spec.ts, which boots Keel and passes the apps' keys;
// prints one JSON line with what it saw, and exits non-zero on the first broken expectation.
import assert from 'node:assert/strict';
import { ChatClient, CompletionClient } from 'dify-client';

const { KEEL_V1, CHAT_KEY, COMPLETION_KEY } = process.env;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
const user = 'sdk-user';
const seen = {};

/** Reads an SSE byte stream; every frame must be `data: <json>` or Dify's bare ping. */
async function sseEvents(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk.toString('utf8');
  const events = [];
  for (const frame of text.split('\n\n').filter(Boolean)) {
    if (frame === 'event: ping') continue;
    assert.ok(frame.startsWith('data: '), `unexpected frame ${JSON.stringify(frame)}`);
    events.push(JSON.parse(frame.slice(6)));
  }
  return events;
}

function assertDifyOrder(events, withConversation) {
  assert.ok(events.length >= 2, 'at least one message and the end');
  const last = events.at(-1);
  assert.equal(last.event, 'message_end');
  for (const e of events.slice(0, -1)) assert.equal(e.event, 'message');
  for (const e of events) {
    assert.equal(e.task_id, last.task_id);
    assert.equal(e.message_id, last.message_id);
    if (withConversation) assert.equal(e.conversation_id, last.conversation_id);
    else assert.equal(e.conversation_id, undefined);
  }
  assert.equal(typeof last.metadata.usage.total_tokens, 'number');
  return {
    answer: events
      .slice(0, -1)
      .map((e) => e.answer)
      .join(''),
    last,
  };
}

const chat = new ChatClient(CHAT_KEY, KEEL_V1);
const completion = new CompletionClient(COMPLETION_KEY, KEEL_V1);

// Parameters
const parameters = (await chat.getApplicationParameters(user)).data;
assert.deepEqual(
  parameters.user_input_form.map((f) => Object.keys(f)[0]),
  ['text-input'],
);
seen.parameters = true;

// Chat, blocking, then a second turn
const first = (await chat.createChatMessage({ topic: 'owls' }, 'hello sdk', user, false)).data;
assert.equal(first.event, 'message');
assert.equal(first.answer, 'You said: hello sdk');
const second = (await chat.createChatMessage({}, 'and again', user, false, first.conversation_id)).data;
assert.equal(second.conversation_id, first.conversation_id);
seen.blocking = [first.answer, second.answer];

// Chat, streaming
const streamed = await chat.createChatMessage({}, 'stream this please', user, true, first.conversation_id);
assert.match(streamed.headers['content-type'], /^text\/event-stream/);
const chatStream = assertDifyOrder(await sseEvents(streamed.data), true);
assert.equal(chatStream.answer, 'You said: stream this please');
seen.streaming = chatStream.answer;

// Conversations: list, rename, messages, feedback
const list = (await chat.getConversations(user)).data;
assert.equal(list.data[0].id, first.conversation_id);
const renamed = (await chat.renameConversation(first.conversation_id, 'Owl talk', user)).data;
assert.equal(renamed.name, 'Owl talk');
const history = (await chat.getConversationMessages(user, first.conversation_id)).data;
assert.deepEqual(
  history.data.map((m) => m.query),
  ['hello sdk', 'and again', 'stream this please'],
);
assert.deepEqual((await chat.messageFeedback(second.message_id, 'like', user)).data, { result: 'success' });
seen.conversations = { listed: list.data.length, renamed: renamed.name, messages: history.data.length };

// Files: upload, then a chat that uses the file
const form = new FormData();
form.append('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
form.append('user', user);
const uploaded = await chat.fileUpload(form);
assert.equal(uploaded.status, 201);
assert.equal(uploaded.data.extension, 'png');
const withImage = (
  await chat.createChatMessage({ topic: 'images' }, 'what is in it', user, false, null, [
    { type: 'image', transfer_method: 'local_file', upload_file_id: uploaded.data.id },
  ])
).data;
assert.equal(withImage.answer, 'You said: what is in it');
seen.file = uploaded.data.id;

// Completion, blocking and streaming (the SDK sends no query)
const done = (await completion.createCompletionMessage({ subject: 'tea' }, user, false)).data;
assert.equal(done.answer, 'You said: Write one line about tea.');
const completionStream = await completion.createCompletionMessage({ subject: 'coffee' }, user, true);
seen.completion = [done.answer, assertDifyOrder(await sseEvents(completionStream.data), false).answer];

// A required input missing: Dify's error envelope reaches the SDK as an axios error
try {
  await completion.createCompletionMessage({}, user, false);
  assert.fail('expected a 400');
} catch (error) {
  assert.equal(error.response?.status, 400);
  assert.deepEqual(error.response.data, {
    code: 'invalid_param',
    message: 'subject is required in input form',
    status: 400,
  });
}

// Delete
const deleted = await chat.deleteConversation(first.conversation_id, user);
assert.equal(deleted.status, 204);
assert.deepEqual((await chat.getConversations(user)).data.data.map((c) => c.id).includes(first.conversation_id), false);

console.log(JSON.stringify({ ok: true, seen }));
