import { Redactor } from './redact.js';

describe('Redactor', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaS1ib3QifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

  it('scrubs a secret and its encodings', () => {
    const r = new Redactor();
    r.add(token);
    expect(r.scrub(`Bearer ${token} / ${Buffer.from(token).toString('base64')}`)).toBe('Bearer *** / ***');
  });

  it('scrubs the beginning of a secret that a shortened message cut off with "…"', () => {
    const r = new Redactor();
    r.add(token);
    // What a server error quoting the Authorization header looks like once bounded to N characters.
    expect(r.scrub(`failed (Echo: Authorization: Bearer ${token.slice(0, 50)}…).`)).toBe('failed (Echo: Authorization: Bearer ***…).');
    expect(r.scrub(`a ${token}, then ${token.slice(0, 20)}… b`)).toBe('a ***, then ***… b');
  });

  it('leaves ordinary shortened text alone', () => {
    const r = new Redactor();
    r.add(token);
    expect(r.scrub('HTML page: Bad Gateway…')).toBe('HTML page: Bad Gateway…');
    // A short common start ("eyJhbGci") is not enough to call it a secret.
    expect(r.scrub(`other ${token.slice(0, 8)}…`)).toBe(`other ${token.slice(0, 8)}…`);
  });
});
