/**
 * Cold start: each `dist/<name>/index.js` from spawn to its first HTTP request (a bare listener
 * that notes the time the request arrives, then kills the action), against `node -e 0` (spawn to
 * exit) on the same machine, each action's run right after one of its own, so both see the same load. Also the size of
 * the largest file ncc emitted per action (entry or lazy chunk).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/harness/run-bundle.js';

export interface ColdStartRow {
  /** The action, or the action and the path it takes when one action is timed on two paths. */
  name: string;
  /** Median ms from spawn to the first request. */
  ms: number;
  ratio: number;
  largestFile: { name: string; bytes: number };
  totalJs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** promote's other path: across servers it needs code an in-server promotion never loads. */
const ACROSS = 'promote (across servers)';
const actionOf = (case_: string): string => (case_ === ACROSS ? 'promote' : case_);

/** Minimal valid inputs that make each action talk to `url` first thing (after reading local files). */
function inputsFor(name: string, url: string, manifest: string, dir: string): Record<string, string> {
  const server = { 'server-url': url, 'api-key': 'ZENKEY_bench' };
  switch (name) {
    case 'zenml-login':
      return server;
    case 'export-model':
      return { ...server, model: 'm', exchange: `file://${join(dir, 'exchange')}` };
    case 'import-model':
      return { ...server, manifest };
    case 'gate-promotion':
      return { ...server, model: 'm', 'required-tags': 'candidate' };
    case 'promote':
      return { ...server, model: 'm', 'from-stage': 'staging', 'to-stage': 'production' };
    case ACROSS:
      // Its first request (the source's login) comes after the lazily loaded export and import code.
      return { ...server, model: 'm', 'source-server-url': url, 'source-api-key': 'ZENKEY_bench_source', exchange: `file://${join(dir, 'exchange')}`, 'to-stage': 'production' };
    case 'rollback':
      return { ...server, model: 'm', reason: 'bench' };
    case 'build-snapshot':
      return { ...server, pipeline: 'training' };
    case 'run-snapshot':
      return { ...server, snapshot: 's' };
    default:
      return server;
  }
}

/** Every action, and promote once more on its cross-server path. */
function caseNames(): string[] {
  const names = readdirSync(join(repoRoot, 'dist'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return names.flatMap((n) => (n === 'promote' ? [n, ACROSS] : [n]));
}

function emitted(name: string): { largest: { name: string; bytes: number }; total: number } {
  const dir = join(repoRoot, 'dist', name);
  let largest = { name: '', bytes: 0 };
  let total = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const bytes = statSync(join(dir, f)).size;
    total += bytes;
    if (bytes > largest.bytes) largest = { name: f, bytes };
  }
  return { largest, total };
}

class FirstRequest {
  private waiter: ((t: bigint) => void) | undefined;
  readonly server: Server;
  constructor() {
    this.server = createServer((req, res) => {
      this.waiter?.(process.hrtime.bigint());
      this.waiter = undefined;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"bench"}');
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  next(): Promise<bigint> {
    return new Promise((r) => (this.waiter = r));
  }
}

/** ms from spawn to `until` (the first request, or exit); the child is killed as soon as it is seen. */
async function timeOne(node: string, args: string[], env: NodeJS.ProcessEnv, listener: FirstRequest | undefined, dir: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(node, args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<bigint>((r) => child.on('exit', () => r(process.hrtime.bigint())));
  if (!listener) return Number((await exited) - started) / 1e6;
  const first = listener.next();
  const t = await Promise.race([first, exited.then(() => undefined)]);
  child.kill('SIGKILL');
  await exited;
  if (t === undefined) throw new Error(`${args.join(' ')} exited before any HTTP request:\n${out.slice(-1500)}`);
  return Number(t - started) / 1e6;
}

/**
 * `manifest`: a real bundle's manifest URI (import-model reads it before it calls the server).
 * `node`: the Node.js binary for both the bare start and the actions (this one by default).
 */
export async function benchColdStart(
  manifest: string,
  runs = 20,
  node = process.execPath,
): Promise<{ nodeVersion: string; nodeMs: number; runs: number; rows: ColdStartRow[] }> {
  const listener = new FirstRequest();
  const url = await listener.listen();
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  const names = caseNames();
  const times = new Map<string, number[]>(names.map((n) => [n, []]));
  // Each action's run is paired with a `node -e 0` just before it: this VM's speed drifts within a
  // run by more than the differences measured here, and a pair sees the same moment.
  const bareBefore = new Map<string, number[]>(names.map((n) => [n, []]));
  const bare: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      for (const name of names) {
        const b = await timeOne(node, ['-e', '0'], { PATH: process.env.PATH }, undefined, dir);
        bare.push(b);
        bareBefore.get(name)?.push(b);
        const output = join(dir, `${name}.out`);
        writeFileSync(output, '');
        const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, RUNNER_TEMP: dir, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: join(dir, 'summary') };
        for (const [k, v] of Object.entries(inputsFor(name, url, manifest, dir))) env[`INPUT_${k.toUpperCase()}`] = v;
        times.get(name)?.push(await timeOne(node, [join(repoRoot, 'dist', actionOf(name), 'index.js')], env, listener, dir));
      }
    }
  } finally {
    listener.server.close();
    listener.server.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  }
  const nodeMs = median(bare);
  const rows = names.map((name) => {
    const ms = median(times.get(name) ?? []);
    const e = emitted(actionOf(name));
    return { name, ms, ratio: ms / median(bareBefore.get(name) ?? []), largestFile: e.largest, totalJs: e.total };
  });
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  return { nodeVersion, nodeMs, runs, rows };
}
