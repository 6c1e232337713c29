import { LoopbackHttp } from '../../../../../test/support/loopback-http';
import { ToolError, type Tool } from '../../tool.types';
import { builtinToolProviders } from '../builtin-tool-providers';

const context = { workspaceId: 'ws-1' };

const STORE = JSON.stringify({
  data: {
    title: 'Catalogue',
    books: [
      { title: 'Dune', price: 9.5, tags: ['sf'] },
      { title: 'Emma', price: 12, tags: [] },
      { title: 'Ulysses', price: 7.25, tags: ['classic'] },
    ],
  },
});

describe('json_process', () => {
  const tool: Tool = builtinToolProviders(new LoopbackHttp()).find((p) => p.name === 'json_process')!.tools[0];

  it('returns a single match as a json message and as text', async () => {
    expect(await tool.invoke({ content: STORE, query: '$.data.title' }, context)).toEqual([
      { type: 'json', json: { query: '$.data.title', matches: ['Catalogue'] } },
      { type: 'text', text: 'Catalogue' },
    ]);
    const [, text] = await tool.invoke({ content: STORE, query: '$.data.books[0]' }, context);
    expect(text).toEqual({ type: 'text', text: '{"title":"Dune","price":9.5,"tags":["sf"]}' });
  });

  it('returns several matches as a JSON array, with filters, slices and recursive descent', async () => {
    const [json, text] = await tool.invoke({ content: STORE, query: '$.data.books[?(@.price < 10)].title' }, context);
    expect(json).toEqual({
      type: 'json',
      json: { query: '$.data.books[?(@.price < 10)].title', matches: ['Dune', 'Ulysses'] },
    });
    expect(text).toEqual({ type: 'text', text: '["Dune","Ulysses"]' });
    expect((await tool.invoke({ content: STORE, query: '$..price' }, context))[1]).toEqual({
      type: 'text',
      text: '[9.5,12,7.25]',
    });
    expect((await tool.invoke({ content: STORE, query: '$.data.books[1:].title' }, context))[1]).toEqual({
      type: 'text',
      text: '["Emma","Ulysses"]',
    });
  });

  it("accepts Dify's queries without the leading $", async () => {
    expect((await tool.invoke({ content: STORE, query: 'data.books[2].title' }, context))[0]).toEqual({
      type: 'json',
      json: { query: '$.data.books[2].title', matches: ['Ulysses'] },
    });
    expect((await tool.invoke({ content: '[1,2,3]', query: '[1]' }, context))[1]).toEqual({ type: 'text', text: '2' });
  });

  it('takes a JSON value the model passed as an object', async () => {
    expect((await tool.invoke({ content: { a: { b: true } }, query: '$.a.b' }, context))[1]).toEqual({
      type: 'text',
      text: 'true',
    });
  });

  it('says when nothing matches, without failing', async () => {
    expect(await tool.invoke({ content: STORE, query: '$.data.authors' }, context)).toEqual([
      { type: 'json', json: { query: '$.data.authors', matches: [] } },
      { type: 'text', text: 'No match for the JSONPath $.data.authors.' },
    ]);
  });

  it('rejects content that is not JSON, naming the problem', async () => {
    const failure = tool.invoke({ content: "{'single': 'quotes'}", query: '$.single' }, context);
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toThrow(/^json_process: content is not valid JSON: /);
  });

  it('rejects a malformed JSONPath, naming it', async () => {
    await expect(tool.invoke({ content: STORE, query: '$.data.books[' }, context)).rejects.toThrow(
      'json_process: invalid JSONPath "$.data.books[": unclosed "["',
    );
    await expect(tool.invoke({ content: STORE, query: "$.data['title" }, context)).rejects.toThrow(
      `json_process: invalid JSONPath "$.data['title": unclosed '`,
    );
    await expect(tool.invoke({ content: STORE, query: '$.data.books[?(@.price <)]' }, context)).rejects.toThrow(
      /^json_process: invalid JSONPath "\$\.data\.books\[\?\(@\.price <\)\]": Expected expression after </,
    );
    await expect(tool.invoke({ content: STORE, query: '$.a)' }, context)).rejects.toThrow(
      'unexpected ")" at character 4',
    );
  });

  it('never evaluates code in a filter', async () => {
    const failure = tool.invoke(
      { content: STORE, query: '$.data.books[?(@.constructor.constructor("return process")().exit())]' },
      context,
    );
    await expect(failure).rejects.toBeInstanceOf(ToolError);
  });
});
