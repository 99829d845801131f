import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkflow } from './yaml-doc.js';

/** The `run:` script of step `stepId` in job `jobId`. */
export function stepScript(text: string, file: string, jobId: string, stepId: string): string {
  const step = parseWorkflow(text, file).data?.jobs?.[jobId]?.steps?.find((s) => s.id === stepId);
  if (typeof step?.run !== 'string') throw new Error(`${file}: no run step '${stepId}' in job '${jobId}'`);
  return step.run;
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed from GITHUB_OUTPUT (`key=value` and `key<<DELIMITER` blocks). */
  outputs: Record<string, string>;
}

/** Runs a step script the way the runner runs `shell: bash` (`bash --noprofile --norc -eo pipefail`). */
export function runStepScript(script: string, opts: { cwd: string; env: Record<string, string> }): ScriptRun {
  const dir = mkdtempSync(join(tmpdir(), 'wf-step-'));
  try {
    const outputFile = join(dir, 'output');
    writeFileSync(outputFile, '');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: dir, RUNNER_TEMP: dir, GITHUB_OUTPUT: outputFile, ...opts.env },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs: parseGithubOutput(readFileSync(outputFile, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block?.[1] && block[2]) {
      const end = lines.indexOf(block[2], i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no closing ${block[2]}`);
      out[block[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}
