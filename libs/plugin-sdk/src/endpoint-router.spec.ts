import { compilePath } from './endpoint-router';

describe('endpoint paths', () => {
  it('matches literals and :name or <name> params, decoding them', () => {
    expect(compilePath('/items/:id').match('/items/a%2Fb')).toEqual({ id: 'a/b' });
    expect(compilePath('/apps/<app_id>/run').match('/apps/42/run')).toEqual({ app_id: '42' });
    expect(compilePath('/items/:id').match('/items')).toBeUndefined();
    expect(compilePath('/items/:id').match('/items/1/more')).toBeUndefined();
    expect(compilePath('/items/:id').match('/other/1')).toBeUndefined();
    expect(compilePath('/').match('/')).toEqual({});
  });

  it('gives a trailing * the rest of the path', () => {
    expect(compilePath('/files/*').match('/files/a/b.txt')).toEqual({ '*': 'a/b.txt' });
    expect(compilePath('/files/*').match('/files')).toEqual({ '*': '' });
    expect(compilePath('/files/*').match('/elsewhere/a')).toBeUndefined();
  });

  it('refuses paths that do not start with / and a * before the end', () => {
    expect(() => compilePath('items')).toThrow('must start with /');
    expect(() => compilePath('/a/*/b')).toThrow('* may only be the last segment');
  });
});
