'use strict';
// The reverse-llm example: a model provider. Try it: keel-plugin run examples/plugins/reverse-llm
//   {"model": "reverse-1", "prompt": "hello big world", "credentials": {"api_key": "rev-1"}}
const { definePlugin, defineModelProvider } = require('@keel/plugin-sdk');

const reverse = defineModelProvider({
  name: 'reverse',
  models: ['reverse-1'],
  embeddingModels: ['letters-1'],
  validateCredentials(credentials) {
    if (typeof credentials.api_key !== 'string' || !credentials.api_key.startsWith('rev-')) {
      throw new Error('api_key must start with rev-');
    }
  },
  async *invoke(request, ctx) {
    const last = [...request.prompt_messages].reverse().find((message) => message.role === 'user');
    const words = (last ? last.content : '').split(/\s+/).filter(Boolean).reverse();
    const limit = Number(request.model_parameters.max_tokens ?? 256);
    const answer = words.slice(0, limit);
    for (const [index, word] of answer.entries()) {
      if (ctx.signal.aborted) return;
      yield index === 0 ? word : ` ${word}`;
    }
    const promptTokens = last ? last.content.split(/\s+/).filter(Boolean).length : 0;
    yield {
      finish_reason: answer.length < words.length ? 'length' : 'stop',
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: answer.length,
        total_tokens: promptTokens + answer.length,
      },
    };
  },
  // A toy vector per text: its length, its words, its vowels.
  embed({ texts }) {
    return texts.map((text) => [
      text.length,
      text.split(/\s+/).filter(Boolean).length,
      (text.match(/[aeiou]/gi) || []).length,
    ]);
  },
});

const plugin = definePlugin({ models: [reverse] });

module.exports = plugin;
if (require.main === module) plugin.start();
