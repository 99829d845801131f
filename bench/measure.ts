import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measured {
  code: number | null;
  ms: number;
  /** Peak resident set size in bytes (VmHWM, read from /proc while the process runs). */
  peakRss: number;
  stdout: string;
  stderr: string;
}

function vmHwm(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

/**
 * Runs a command and samples its high-water RSS from /proc every few milliseconds. VmHWM is the
 * kernel's own peak, so sampling only has to catch the process before it exits.
 */
export async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const timer = setInterval(() => {
    const v = child.pid ? vmHwm(child.pid) : undefined;
    if (v && v > peak) peak = v;
  }, 5);
  const code = await new Promise<number | null>((res) => child.on('close', res));
  clearInterval(timer);
  return { code, ms: Number(process.hrtime.bigint() - started) / 1e6, peakRss: peak, stdout, stderr };
}
