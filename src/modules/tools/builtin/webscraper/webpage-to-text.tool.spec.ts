import { LoopbackHttp } from '../../../../../test/support/loopback-http';
import { ToolError, type Tool } from '../../tool.types';
import { builtinToolProviders } from '../builtin-tool-providers';
import { closedPort, loopbackServer, type LoopbackServer } from '../loopback-server.spec-support';
import { WEBPAGE_MAX_TEXT_CHARS } from './webpage-to-text.tool';

const context = { workspaceId: 'ws-1' };

const ARTICLE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Keel &amp; the   Tides</title>
  <style>body { color: red; } .secret-style {}</style>
  <script>var trackingSecret = "head-script";</script>
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/about">About-nav-link</a></nav>
  <main>
    <h1>Tides explained</h1>
    <p>The moon pulls the <a href="https://example.com/ocean">ocean</a> twice a day &mdash; mostly.</p>
    <script>document.write("body-script")</script>
    <style>.inline-style { display: none }</style>
    <noscript>Enable JavaScript, please</noscript>
    <div hidden>hidden-div</div>
    <ul><li>Spring tides</li><li>Neap tides</li></ul>
    <img src="/moon.png" alt="moon-picture">
  </main>
  <footer>Copyright footer-text</footer>
</body>
</html>`;

describe('webpage_to_text', () => {
  let server: LoopbackServer;
  const http = new LoopbackHttp();
  const tool: Tool = builtinToolProviders(http).find((p) => p.name === 'webscraper')!.tools[0];

  beforeAll(async () => {
    server = await loopbackServer((request, res) => {
      switch (request.url) {
        case '/article':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(ARTICLE);
        case '/notes.txt':
          res.writeHead(200, { 'content-type': 'text/plain' });
          return res.end('  <b>not html</b>\nline two  \n');
        case '/report.pdf':
          res.writeHead(200, { 'content-type': 'application/pdf' });
          return res.end('%PDF-1.7');
        case '/latin1':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end(
            Buffer.concat([
              Buffer.from('<html><head><meta charset="iso-8859-1"><title>Caf'),
              Buffer.from([0xe9]),
              Buffer.from('</title></head><body>cr'),
              Buffer.from([0xe8]),
              Buffer.from('me</body></html>'),
            ]),
          );
        case '/untyped':
          res.removeHeader('content-type');
          res.writeHead(200);
          return res.end('<html><head><title>No type</title></head><body><p>sniffed</p></body></html>');
        case '/fragment':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<title>Frag</title><script>x()</script><p>Only <em>this</em></p>');
        case '/long':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end(`<html><body><p>${'word '.repeat(20_000)}</p></body></html>`);
        default:
          res.writeHead(404, { 'content-type': 'text/html' });
          return res.end('<h1>Not here</h1>');
      }
    });
  });
  afterAll(() => server.close());

  async function read(path: string): Promise<string> {
    const messages = await tool.invoke({ url: `${server.origin}${path}` }, context);
    expect(messages).toHaveLength(1);
    return (messages[0] as { type: 'text'; text: string }).text;
  }

  it('returns the title and the readable text, without scripts, styles, navigation, footer or link targets', async () => {
    const text = await read('/article');
    expect(text).toBe(
      [
        'Title: Keel & the Tides',
        `URL: ${server.origin}/article`,
        '',
        'Tides explained',
        '',
        'The moon pulls the ocean twice a day — mostly.',
        '',
        ' * Spring tides',
        ' * Neap tides',
      ].join('\n'),
    );
    for (const hidden of [
      'head-script',
      'body-script',
      'color: red',
      'inline-style',
      'About-nav-link',
      'footer-text',
      'hidden-div',
      'example.com',
      'moon-picture',
      'Enable JavaScript',
    ]) {
      expect(text).not.toContain(hidden);
    }
  });

  it('sends a GET with its user agent and an Accept for pages', async () => {
    await read('/article');
    const seen = server.seen.at(-1)!;
    expect(seen.method).toBe('GET');
    expect(seen.headers['user-agent']).toBe('Mozilla/5.0 (compatible; Keel/0.1; webpage_to_text)');
    expect(seen.headers.accept).toMatch(/^text\/html,/);
    await tool.invoke({ url: `${server.origin}/article`, user_agent: 'TestAgent/1' }, context);
    expect(server.seen.at(-1)!.headers['user-agent']).toBe('TestAgent/1');
  });

  it('returns plain text as it is', async () => {
    expect(await read('/notes.txt')).toBe(`URL: ${server.origin}/notes.txt\n\n<b>not html</b>\nline two`);
  });

  it('reads the charset a page declares and sniffs a page without a Content-Type', async () => {
    expect(await read('/latin1')).toBe(`Title: Café\nURL: ${server.origin}/latin1\n\ncrème`);
    expect(await read('/untyped')).toBe(`Title: No type\nURL: ${server.origin}/untyped\n\nsniffed`);
  });

  it('reads a fragment without <head> or <body>, its title not repeated in the text', async () => {
    expect(await read('/fragment')).toBe(`Title: Frag\nURL: ${server.origin}/fragment\n\nOnly this`);
  });

  it('truncates a long page and says so', async () => {
    const text = await read('/long');
    expect(text).toMatch(
      new RegExp(`\\n\\n\\[truncated: showing the first ${WEBPAGE_MAX_TEXT_CHARS} of \\d+ characters\\]$`),
    );
  });

  it('refuses content that is not a page, and error statuses, with a ToolError', async () => {
    await expect(read('/report.pdf')).rejects.toThrow(ToolError);
    await expect(read('/report.pdf')).rejects.toThrow(
      `webpage_to_text: ${server.origin}/report.pdf is application/pdf, not a web page; it reads HTML and plain text only`,
    );
    await expect(read('/missing')).rejects.toThrow(
      `webpage_to_text: ${server.origin}/missing answered HTTP 404 Not Found`,
    );
  });

  it('turns a refused connection or a bad URL into a ToolError', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    await expect(tool.invoke({ url }, context)).rejects.toThrow(/^webpage_to_text: GET .* failed: .*ECONNREFUSED/);
    await expect(tool.invoke({ url: 'not a url' }, context)).rejects.toThrow(
      'webpage_to_text: "not a url" is not an absolute URL',
    );
    await expect(tool.invoke({}, context)).rejects.toThrow('webpage_to_text: the parameter "url" is required');
  });
});
