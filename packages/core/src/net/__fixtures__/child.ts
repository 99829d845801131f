/** A TypeScript module run (through tsx) in a fresh Node process, for what only start-up shows. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the child's "DONE" line (its last act) to its exit, ms: what held the process open. */
  exitLagMs: number | undefined;
}

const repoRoot = resolve(import.meta.dirname, '..', '..', '..', '..', '..');

/** Runs `file` from the repository root with exactly `env` (NODE_OPTIONS cleared); killed after 30 s. */
export function runTsChild(file: string, env: Record<string, string | undefined>): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: repoRoot, env: { ...env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    let doneAt: number | undefined;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (doneAt === undefined && stdout.includes('DONE')) doneAt = Date.now();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (exit) => {
      clearTimeout(killer);
      done({ code: exit, stdout, stderr, exitLagMs: doneAt === undefined ? undefined : Date.now() - doneAt });
    });
  });
}
