import { textOfToolMessages } from './tool-messages.text';

describe('textOfToolMessages', () => {
  it('reads the text of a tool that answers with both JSON and text once, and JSON alone as JSON', () => {
    expect(
      textOfToolMessages([
        { type: 'json', json: { a: 1 } },
        { type: 'text', text: '{"a":1}' },
      ]).text,
    ).toBe('{"a":1}');
    expect(textOfToolMessages([{ type: 'json', json: [1, 2] }]).text).toBe('[1,2]');
  });

  it('names stored files and links, and says so when there is nothing', () => {
    const out = textOfToolMessages([
      { type: 'file', fileId: 'f-1', mimeType: 'application/pdf', filename: 'q3.pdf', url: '/v1/files/f-1/preview' },
      { type: 'link', url: 'https://example.com/x' },
    ]);
    expect(out).toEqual({
      text: 'File q3.pdf (application/pdf): /v1/files/f-1/preview\nLink: https://example.com/x',
      files: ['f-1'],
    });
    expect(textOfToolMessages([]).text).toBe('The tool returned nothing.');
  });

  it('cuts long output so one call cannot fill the context', () => {
    const { text } = textOfToolMessages([{ type: 'text', text: 'x'.repeat(50_000) }]);
    expect(text).toHaveLength(20_000 + '\n[truncated]'.length);
    expect(text.endsWith('\n[truncated]')).toBe(true);
  });
});
