import { encodeMessage, parseHostMessage, parsePluginMessage, ProtocolError } from './protocol';

describe('protocol', () => {
  it('encodes one message as one line, newlines in strings escaped', () => {
    const line = encodeMessage({
      session_id: 's',
      event: 'session',
      data: { type: 'stream', data: { type: 'text', text: 'a\nb' } },
    });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(parsePluginMessage(line)).toEqual({
      session_id: 's',
      event: 'session',
      data: { type: 'stream', data: { type: 'text', text: 'a\nb' } },
    });
  });

  it('parses host messages and keeps only the correlation fields of a backwards response', () => {
    expect(parseHostMessage('{"session_id":"s","event":"request","data":{"type":"tool"}}')).toEqual({
      session_id: 's',
      event: 'request',
      data: { type: 'tool' },
    });
    expect(
      parseHostMessage(
        '{"session_id":"s","event":"backwards_response","data":{"backwards_request_id":"b","event":"error","message":"no","junk":1}}',
      ),
    ).toEqual({
      session_id: 's',
      event: 'backwards_response',
      data: { backwards_request_id: 'b', event: 'error', message: 'no' },
    });
    expect(parseHostMessage('{"session_id":"s","event":"cancel"}')).toEqual({
      session_id: 's',
      event: 'cancel',
      data: {},
    });
  });

  it.each([
    ['nope', 'not JSON', undefined],
    ['"text"', 'not a JSON object', undefined],
    ['{"event":"request","data":{}}', 'session_id must be a non-empty string', undefined],
    ['{"session_id":"s","event":"request","data":[]}', 'data must be an object', 's'],
    ['{"session_id":"s","event":"ping"}', 'unknown event "ping"', 's'],
    [
      '{"session_id":"s","event":"backwards_response","data":{"backwards_request_id":"b","event":"later"}}',
      'unknown backwards_response event "later"',
      's',
    ],
  ])('refuses host line %s', (line, message, sessionId) => {
    let thrown: unknown;
    try {
      parseHostMessage(line);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect((thrown as ProtocolError).message).toBe(message);
    expect((thrown as ProtocolError).sessionId).toBe(sessionId);
  });

  it('parses plugin messages for the host and refuses malformed ones', () => {
    expect(parsePluginMessage('{"event":"heartbeat","data":{"active_sessions":2}}')).toEqual({
      event: 'heartbeat',
      data: { active_sessions: 2 },
    });
    expect(
      parsePluginMessage(
        '{"session_id":"s","event":"session","data":{"type":"error","data":{"error_type":"X","message":"m","parameter":"p"}}}',
      ),
    ).toEqual({
      session_id: 's',
      event: 'session',
      data: { type: 'error', data: { error_type: 'X', message: 'm', parameter: 'p' } },
    });
    expect(() => parsePluginMessage('{"session_id":"s","event":"session","data":{"type":"chunk"}}')).toThrow(
      ProtocolError,
    );
    expect(() => parsePluginMessage('{"event":"session","data":{"type":"end"}}')).toThrow('session_id');
    expect(() =>
      parsePluginMessage('{"session_id":"s","event":"session","data":{"type":"invoke","data":{"type":"db"}}}'),
    ).toThrow('invoke data');
  });
});
