/**
 * A connect that takes longer than the pool's 4 s idle timeout is not cut by it: it gets the 10 s
 * Node's fetch allows, then fails with fetch's connect-timeout code, which the retry layer counts
 * as "never reached the server" (a creating POST may then be sent again; an ETIMEDOUT would say
 * the server might have carried it out).
 *
 * A slow connect for real: a listener in a stopped process with its accept queue filled, so the
 * kernel drops further SYNs and the handshake hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { mayResend } from '../zenml/retry.js';
import { CONNECT_TIMEOUT_CODE, CONNECT_TIMEOUT_MS } from './exchange.js';
import { liteFetch } from './fetch.js';

let child: ChildProcess;
let fillers: Socket[] = [];
let port: number;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  child.kill('SIGSTOP');
  fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((r) => setTimeout(r, 300));
});
afterAll(() => {
  for (const f of fillers) f.destroy();
  child.kill('SIGKILL');
});

it(`a connect that hangs fails as a connect timeout after ${CONNECT_TIMEOUT_MS / 1000}s, not as the pool's idle timeout`, async () => {
  const err = await liteFetch(`http://127.0.0.1:${port}/api/v1/models`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(30_000) }).then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: { code?: string } },
  );
  expect(err).toBeInstanceOf(TypeError);
  expect(err?.cause?.code).toBe(CONNECT_TIMEOUT_CODE);
  expect(mayResend('POST', '/api/v1/models', { code: err?.cause?.code })).toBe(true);
}, 30_000);
