'use strict';
// The notes example: three tools and an endpoint, using the plugin's storage and the workspace's
// LLM through backwards calls. Try it: keel-plugin run examples/plugins/notes
//   {"tool": "save_note", "parameters": {"key": "todo", "text": "buy milk"}}
//   {"tool": "read_note", "parameters": {"key": "todo"}}
//   {"endpoint": "/notes/todo", "headers": {"x-token": "t"}, "settings": {"token": "t"}}
// (summarize_note needs a Keel server: `run` refuses backwards LLM calls.)
const {
  definePlugin,
  defineToolProvider,
  defineTool,
  defineEndpoint,
  messages,
  PluginError,
} = require('@keel/plugin-sdk');

const key = { name: 'key', type: 'string', required: true, form: 'llm', llm_description: "The note's key." };
const storageKey = (name) => `note:${name}`;

const saveNote = defineTool({
  name: 'save_note',
  parameters: [key, { name: 'text', type: 'string', required: true, form: 'llm', llm_description: "The note's text." }],
  async invoke(args, ctx) {
    await ctx.storage.set(storageKey(args.key), args.text);
    return messages.json({ saved: args.key, characters: args.text.length });
  },
});

const readNote = defineTool({
  name: 'read_note',
  parameters: [key],
  async invoke(args, ctx) {
    const note = await ctx.storage.get(storageKey(args.key));
    return note === null ? `There is no note "${args.key}".` : note.toString('utf8');
  },
});

const summarizeNote = defineTool({
  name: 'summarize_note',
  parameters: [
    key,
    // Which of the workspace's configured model providers to ask (set in the app's tool settings).
    { name: 'provider', type: 'string', default: 'openai', form: 'form' },
    {
      name: 'model',
      type: 'select',
      default: 'gpt-4o-mini',
      form: 'form',
      options: [{ value: 'gpt-4o-mini' }, { value: 'gpt-4o' }],
    },
  ],
  async *invoke(args, ctx) {
    const note = await ctx.storage.get(storageKey(args.key));
    if (note === null) throw new PluginError('NoteNotFound', `there is no note "${args.key}"`);
    const answer = ctx.invokeLlm({
      provider: args.provider,
      model: args.model,
      prompt_messages: [
        { role: 'system', content: 'Summarize the note in one sentence.' },
        { role: 'user', content: note.toString('utf8') },
      ],
    });
    // Stream the model's words on as they come.
    for await (const chunk of answer) {
      if (chunk.delta.message.content) yield messages.text(chunk.delta.message.content);
    }
  },
});

const readNoteEndpoint = defineEndpoint({
  method: 'GET',
  path: '/notes/<key>',
  async handler(request, ctx) {
    if (!request.settings.token || request.headers['x-token'] !== request.settings.token) {
      return { status: 401, body: { error: 'a valid X-Token header is required' } };
    }
    const note = await ctx.storage.get(storageKey(request.params.key));
    if (note === null) return { status: 404, body: { error: `no note "${request.params.key}"` } };
    return { status: 200, body: { key: request.params.key, text: note.toString('utf8') } };
  },
});

const plugin = definePlugin({
  tools: [defineToolProvider({ name: 'notes', tools: [saveNote, readNote, summarizeNote] })],
  endpoints: [readNoteEndpoint],
});

module.exports = plugin;
if (require.main === module) plugin.start();
