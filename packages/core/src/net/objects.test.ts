/** LiteRequest and LiteResponse on their own (no sockets), and their interplay with undici's objects. */
import { discardBody, LiteResponse } from './response.js';
import { isRequestLike, LiteRequest } from './request.js';

describe('LiteRequest', () => {
  it('builds from a string or URL with fetch defaults', async () => {
    const r = new LiteRequest('https://h.example/a b?x=1');
    expect(r.url).toBe('https://h.example/a%20b?x=1');
    expect(r.method).toBe('GET');
    expect(r.redirect).toBe('follow');
    expect(r.signal).toBeNull();
    expect(r.hasBody).toBe(false);
    expect(await r.bytes()).toBeUndefined();
    expect(new LiteRequest(new URL('http://h.example'), { method: 'post', body: '' }).method).toBe('POST');
    // fetch upper-cases only the well-known methods
    expect(new LiteRequest('http://h.example', { method: 'patch', body: '{}' }).method).toBe('patch');
  });

  it('gives bodies fetch default content types, and keeps the bytes re-readable', async () => {
    const s = new LiteRequest('http://h.example', { method: 'POST', body: 'héllo' });
    expect(s.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await s.text()).toBe('héllo');
    expect(await s.text()).toBe('héllo');
    const form = new LiteRequest('http://h.example', { method: 'POST', body: new URLSearchParams({ a: '1 2' }) });
    expect(form.headers.get('content-type')).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(await form.text()).toBe('a=1+2');
    const typed = new LiteRequest('http://h.example', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect(typed.headers.get('content-type')).toBe('application/json');
    expect(await typed.json()).toEqual({ a: 1 });
    const bytes = new Uint8Array([1, 2, 3]);
    const b = new LiteRequest('http://h.example', { method: 'PUT', body: bytes });
    bytes[0] = 9; // the request keeps its own copy
    expect([...((await b.bytes()) ?? [])]).toEqual([1, 2, 3]);
    expect(new Uint8Array(await b.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('reads an undici Request structurally, body included; init overrides it', async () => {
    const ac = new AbortController();
    const real = new Request('https://h.example/x', { method: 'POST', headers: { authorization: 'Bearer t' }, body: 'payload', signal: ac.signal });
    expect(isRequestLike(real)).toBe(true);
    const r = new LiteRequest(real);
    expect([r.url, r.method, r.headers.get('authorization')]).toEqual(['https://h.example/x', 'POST', 'Bearer t']);
    expect(await r.text()).toBe('payload');
    expect(r.signal?.aborted).toBe(false);
    const o = new LiteRequest(new LiteRequest('https://h.example/x', { method: 'PUT', body: 'a' }), { headers: { x: '1' } });
    expect([o.method, o.headers.get('x'), await o.text()]).toEqual(['PUT', '1', 'a']);
    expect(isRequestLike(new URL('https://h.example'))).toBe(false);
  });

  it('refuses what fetch refuses, with fetch messages', () => {
    const bad = (() => {
      try {
        return new LiteRequest('not a url');
      } catch (e) {
        return e as TypeError & { cause: { code?: string } };
      }
    })() as TypeError & { cause: { code?: string } };
    expect(bad).toBeInstanceOf(TypeError);
    expect(bad.message).toBe('Failed to parse URL from not a url');
    expect(bad.cause.code).toBe('ERR_INVALID_URL');
    expect(() => new LiteRequest('https://u:p@h.example')).toThrow(/includes credentials/);
    expect(() => new LiteRequest('https://h.example', { body: 'x' })).toThrow(/GET\/HEAD method cannot have body/);
    expect(() => new LiteRequest('https://h.example', { method: 'CONNECT' })).toThrow(TypeError);
    expect(() => new LiteRequest('https://h.example', { method: 'bad method' })).toThrow(TypeError);
    expect(() => new LiteRequest('https://h.example', { redirect: 'sometimes' })).toThrow(TypeError);
    expect(() => new LiteRequest('https://h.example', { method: 'POST', body: { not: 'a body' } })).toThrow(/Unsupported request body/);
  });
});

describe('LiteResponse', () => {
  it('reads text, json and bytes once, as fetch does', async () => {
    const r = new LiteResponse('{"a":1}', { status: 201, statusText: 'Created', headers: { 'content-type': 'application/json' } });
    expect([r.status, r.statusText, r.ok, r.bodyUsed, r.type, r.url]).toEqual([201, 'Created', true, false, 'default', '']);
    expect(await r.json()).toEqual({ a: 1 });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(/already been read/);
    expect(await new LiteResponse('\uFEFFbom').text()).toBe('bom');
    expect(new LiteResponse('x').headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await new LiteResponse(new Uint8Array([104, 105])).text()).toBe('hi');
    expect(await new LiteResponse(Buffer.from('buf')).text()).toBe('buf');
    expect((await new LiteResponse('blob', { headers: { 'content-type': 'text/x' } }).blob()).type).toBe('text/x');
    expect(await new LiteResponse(null, { status: 204 }).text()).toBe('');
    expect(new LiteResponse(null, { status: 404 }).ok).toBe(false);
  });

  it('refuses statuses and bodies fetch refuses', () => {
    expect(() => new LiteResponse(null, { status: 99 })).toThrow(RangeError);
    expect(() => new LiteResponse('x', { status: 204 })).toThrow(TypeError);
  });

  it('streams a body as a WHATWG ReadableStream that can be cancelled', async () => {
    let returned = false;
    async function* chunks() {
      try {
        yield new Uint8Array([1]);
        yield new Uint8Array([2]);
        yield new Uint8Array([3]);
      } finally {
        returned = true;
      }
    }
    const r = LiteResponse.fromExchange(chunks(), { status: 200 });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));
    expect(r.bodyUsed).toBe(true);
    await reader.cancel();
    expect(returned).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);

    const all = LiteResponse.fromExchange(chunks(), { status: 200 });
    const parts: number[] = [];
    for await (const c of all.body as ReadableStream<Uint8Array>) parts.push(...c);
    expect(parts).toEqual([1, 2, 3]);
  });

  it('clones, tees a streamed body, and is discarded without a web stream', async () => {
    async function* chunks() {
      yield new TextEncoder().encode('ab');
      yield new TextEncoder().encode('c');
    }
    const r = LiteResponse.fromExchange(chunks(), { status: 200, headers: { a: '1' } });
    const c = r.clone();
    expect([await r.text(), await c.text(), c.headers.get('a'), c.type]).toEqual(['abc', 'abc', '1', 'basic']);
    const d = new LiteResponse('x').clone();
    expect(await d.text()).toBe('x');

    let closed = false;
    async function* never() {
      try {
        yield new Uint8Array([1]);
        await new Promise(() => undefined);
      } finally {
        closed = true;
      }
    }
    const pending = LiteResponse.fromExchange(never(), { status: 200 });
    const it = pending.takeChunks()?.[Symbol.asyncIterator]();
    await it?.next();
    await it?.return?.();
    expect(closed).toBe(true);
    await discardBody(new LiteResponse('unused'));
    // undici's Response is discarded through its own stream
    const real = new Response('x');
    await discardBody(real);
    expect(real.bodyUsed).toBe(true);
  });
});
