import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './harness/run-bundle.js';

// README's first command: the demo must pass on its own, in the release workflow's order, and
// leave nothing behind (servers closed, temporary exchange removed).
const steps = [
  'zenml-login → dev-staging',
  'export-model',
  'zenml-login → production',
  'gate-promotion',
  'import-model',
  'promote',
  'run-snapshot',
  'rollback --dry-run',
];

function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'demo.ts')], { cwd: repoRoot, env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('npm run demo promotes a trained model end to end and cleans up after itself', async () => {
  const { code, out } = await runDemo();
  expect({ code, tail: out.slice(-2000) }).toEqual({ code: 0, tail: expect.stringContaining('demo passed') });

  const ticks = [...out.matchAll(/^━━ (.+?) ([✓✗]) \(\d+ ms\)$/gm)].map((m) => ({ step: m[1] ?? '', ok: m[2] }));
  expect(ticks).toHaveLength(steps.length);
  steps.forEach((name, i) => {
    expect(ticks[i]?.step.startsWith(name)).toBe(true);
    expect(ticks[i]?.ok).toBe('✓');
  });
  expect(out).toMatch(/━━ production now serves readmission-clf v2 \(production\)/);
  expect(out).toMatch(/source_git_commit\s+"[0-9a-f]{40}"/);
  expect(out).toMatch(/promotion: readmission-clf v1 @ \S+ → v2 @ \S+ by /);

  const exchange = /exchange file:\/\/(\S+)/.exec(out)?.[1];
  expect(exchange).toBeDefined();
  expect(existsSync(fileURLToPath(`file://${exchange}`))).toBe(false);
  const urls = [...out.matchAll(/(dev-staging|production) (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[2] as string);
  expect(urls).toHaveLength(2);
  for (const url of urls) await expect(fetch(`${url}/api/v1/info`)).rejects.toThrow();
}, 120_000);
