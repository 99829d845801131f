/**
 * A login sent ahead of local work (whileLoggingIn) must not outlive a run that fails on that
 * work: with a server that accepts connections and never answers, a bad input is still reported
 * in one line and the step ends, instead of waiting out the login's retry deadline.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runBundle } from '../harness/run-bundle.js';

/** Retries that would take minutes: only an abandoned login lets the step end within the test. */
const PATIENT = { MLOPS_ACTIONS_RETRY_DEADLINE: '600', MLOPS_ACTIONS_REQUEST_TIMEOUT: '600' };

let silent: Server;
let url: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

const errorLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('::error::'));

describe('a run that fails before its first call, while its login is unanswered', () => {
  it('export-model reports a bad exchange and ends', async () => {
    const run = await runBundle('export-model', { 'server-url': url, 'api-key': 'ZENKEY_abandoned_login', model: 'm', exchange: 'ftp://bucket/x' }, { env: PATIENT, timeoutMs: 20_000 });
    expect(run.code).toBe(1);
    expect(errorLines(run.visibleStdout)).toEqual([expect.stringMatching(/^::error::Input 'exchange': .*unsupported scheme 'ftp'/)]);
  });

  it('gate-promotion reports a missing policy file and ends', async () => {
    const run = await runBundle(
      'gate-promotion',
      { 'server-url': url, 'api-key': 'ZENKEY_abandoned_login', model: 'm', policy: 'no-such-policy.yml' },
      { env: PATIENT, timeoutMs: 20_000 },
    );
    expect(run.code).toBe(1);
    expect(errorLines(run.visibleStdout)).toHaveLength(1);
    expect(errorLines(run.visibleStdout)[0]).toMatch(/policy/);
  });
});
