/**
 * A bundled action started the way test/harness/run-bundle.ts starts it, but with the child
 * process in hand so that a test can SIGKILL it at a chosen moment (runBundle only returns once
 * the child has exited).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommand, repoRoot } from '../harness/run-bundle.js';

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  outputs: Record<string, string>;
}

export interface Started {
  child: ChildProcess;
  /** Settles when the child has exited (killed or not). */
  done: Promise<ChildRun>;
  /** SIGKILL now; resolves once the process is gone. */
  kill(): Promise<void>;
}

export function startBundle(name: string, inputs: Record<string, string>, env: Record<string, string> = {}): Started {
  const dir = mkdtempSync(join(tmpdir(), `crash-${name}-`));
  const output = join(dir, 'output');
  for (const f of ['output', 'env', 'summary']) writeFileSync(join(dir, f), '');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: output,
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    ...env,
  };
  for (const [k, v] of Object.entries(inputs)) childEnv[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(process.execPath, [join(repoRoot, 'dist', name, 'index.js')], { env: childEnv, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  // A hung child must not hang the suite.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = exited.then(({ code, signal }) => {
    clearTimeout(timer);
    const outputs = parseFileCommand(readFileSync(output, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    return { code, signal, stdout, outputs };
  });
  return {
    child,
    done,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
