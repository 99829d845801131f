import { LiteHeaders } from './headers.js';

describe('LiteHeaders', () => {
  it('matches names case-insensitively and combines repeated values as fetch does', () => {
    const h = new LiteHeaders({ 'Content-Type': 'application/json' });
    expect(h.get('content-type')).toBe('application/json');
    expect(h.has('CONTENT-TYPE')).toBe(true);
    h.append('X-Tag', 'a');
    h.append('x-tag', 'b');
    expect(h.get('X-TAG')).toBe('a, b');
    h.set('x-tag', 'c');
    expect(h.get('x-tag')).toBe('c');
    h.delete('X-Tag');
    expect(h.has('x-tag')).toBe(false);
    expect(h.get('missing')).toBeNull();
  });

  it('iterates sorted lower-case names, cookies one by one', () => {
    const h = new LiteHeaders([
      ['Zeta', '1'],
      ['alpha', '2'],
      ['Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
      ['set-cookie', 'b=2'],
    ]);
    expect([...h]).toEqual([
      ['alpha', '2'],
      ['set-cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
      ['set-cookie', 'b=2'],
      ['zeta', '1'],
    ]);
    expect([...h.keys()]).toEqual(['alpha', 'set-cookie', 'set-cookie', 'zeta']);
    expect([...h.values()]).toEqual(['2', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2', '1']);
    expect(h.getSetCookie()).toEqual(['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2']);
    const seen: string[] = [];
    h.forEach((v, k, parent) => {
      expect(parent).toBe(h);
      seen.push(`${k}=${v}`);
    });
    expect(seen[0]).toBe('alpha=2');
    expect(Object.fromEntries(h.entries())).toMatchObject({ alpha: '2', zeta: '1' });
  });

  it('copies fetch (undici) Headers, our own, records and pairs', () => {
    const real = new Headers({ Authorization: 'Bearer t', Accept: 'application/json' });
    real.append('set-cookie', 'a=1');
    real.append('set-cookie', 'b=2');
    const copy = new LiteHeaders(real);
    expect(copy.get('authorization')).toBe('Bearer t');
    expect(copy.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(new LiteHeaders(copy).get('accept')).toBe('application/json');
    // and the other way: undici reads ours as a header list
    expect(new Headers(copy).get('authorization')).toBe('Bearer t');
    expect(new LiteHeaders({ a: ['x', 'y'], b: undefined }).get('a')).toBe('x,y');
    expect(new LiteHeaders(new Map([['k', 'v']])).get('K')).toBe('v');
  });

  it('trims values and refuses names and values that would break the header block, without echoing the value', () => {
    expect(new LiteHeaders({ a: '  padded\t' }).get('a')).toBe('padded');
    expect(() => new LiteHeaders({ 'bad name': 'x' })).toThrow(TypeError);
    expect(() => new LiteHeaders({ '': 'x' })).toThrow(TypeError);
    const secret = 'Bearer sekrit\r\nX-Injected: 1';
    let err: unknown;
    try {
      new LiteHeaders().set('authorization', secret);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toContain('authorization');
    expect((err as Error).message).not.toContain('sekrit');
    expect(() => new LiteHeaders([['only-name']])).toThrow(TypeError);
  });

  it('exports one value per name for node:http', () => {
    const h = new LiteHeaders([
      ['Accept', 'a'],
      ['accept', 'b'],
      ['set-cookie', 'x=1'],
    ]);
    expect(h.toNodeHeaders()).toEqual({ accept: 'a, b', 'set-cookie': ['x=1'] });
  });
});
