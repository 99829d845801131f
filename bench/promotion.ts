/**
 * `npm run bench`: export + import of generated models through a file:// exchange, side by side
 * with `cp` of the same bytes on the same machine in the same run, and the peak RSS of each
 * action process. Prints a markdown table (README quotes it).
 *
 *   npm run bench                 64 MiB and 1 GiB (4 GiB too when /tmp has room)
 *   BENCH_SIZES_MIB=64 npm run bench
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { parseFileCommand, repoRoot } from '../test/harness/run-bundle.js';
import { defaultArtifactStore } from '../test/harness/trained-model.js';
import { measure, type Measured } from './measure.js';

const MiB = 1024 * 1024;

function sizes(): number[] {
  if (process.env.BENCH_SIZES_MIB) return process.env.BENCH_SIZES_MIB.split(',').map((s) => Number(s.trim()));
  const free = statfsSync(tmpdir());
  const freeMiB = (free.bavail * free.bsize) / MiB;
  // Source, exchange and destination each hold a copy, plus cp's: 4× the size, with room to spare.
  return freeMiB > 4096 * 5 ? [64, 1024, 4096] : [64, 1024];
}

/** Writes `mib` MiB of incompressible bytes without holding more than one chunk in memory. */
function generate(path: string, mib: number): void {
  const chunk = randomBytes(4 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < mib * MiB; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, mib * MiB - written));
  } finally {
    closeSync(fd);
  }
}

function seed(server: TestServer, mib: number): void {
  const store = defaultArtifactStore(server);
  const dir = join(store.path, 'bench', `model-${mib}`);
  mkdirSync(dir, { recursive: true });
  generate(join(dir, 'model.bin'), mib);
  server.seed.model({ name: `bench-${mib}` });
  const mv = server.seed.modelVersion({ model: `bench-${mib}`, stage: 'staging', runMetadata: { accuracy: 0.9 } });
  const av = server.seed.artifactVersion({ name: 'model', uri: dir, type: 'ModelArtifact', artifactStoreId: store.id });
  server.seed.link(mv, av);
}

function actionEnv(inputs: Record<string, string>, dir: string, output: string): NodeJS.ProcessEnv {
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, RUNNER_TEMP: dir, GITHUB_OUTPUT: output };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

const rate = (bytes: number, m: Measured): number => bytes / MiB / (m.ms / 1000);

async function benchSize(mib: number): Promise<string[]> {
  const dev = await startTestServer({ name: 'dev-staging' });
  const prod = await startTestServer({ name: 'production', mode: 'pro' });
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    seed(dev, mib);
    const src = join(defaultArtifactStore(dev).path, 'bench', `model-${mib}`, 'model.bin');
    const cp = await measure('cp', [src, join(work, 'cp.bin')], process.env);
    rmSync(join(work, 'cp.bin'));

    const exchange = join(work, 'exchange');
    mkdirSync(exchange);
    const exp = await measure(
      process.execPath,
      [join(repoRoot, 'dist', 'export-model', 'index.js')],
      actionEnv({ 'server-url': dev.url, 'api-key': dev.apiKey, model: `bench-${mib}`, exchange: `file://${exchange}` }, work, join(work, 'export.out')),
    );
    if (exp.code !== 0) throw new Error(`export failed: ${exp.stdout.slice(-2000)}`);
    const manifest = parseFileCommand(readFileSync(join(work, 'export.out'), 'utf8'))['manifest-uri'] ?? '';
    const imp = await measure(
      process.execPath,
      [join(repoRoot, 'dist', 'import-model', 'index.js')],
      actionEnv({ 'server-url': prod.url, 'api-key': prod.apiKey, manifest, stage: 'production' }, work, join(work, 'import.out')),
    );
    if (imp.code !== 0) throw new Error(`import failed: ${imp.stdout.slice(-2000)}`);
    const bytes = mib * MiB;
    const fmt = (n: number): string => n.toFixed(0);
    return [
      `${mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`}`,
      `${fmt(rate(bytes, cp))} MiB/s`,
      `${fmt(rate(bytes, exp))} MiB/s (${(rate(bytes, exp) / rate(bytes, cp)).toFixed(2)}× cp)`,
      `${fmt(rate(bytes, imp))} MiB/s (${(rate(bytes, imp) / rate(bytes, cp)).toFixed(2)}× cp)`,
      `${fmt(exp.peakRss / MiB)} MiB`,
      `${fmt(imp.peakRss / MiB)} MiB`,
    ];
  } finally {
    await dev.close();
    await prod.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const rows: string[][] = [];
for (const mib of sizes()) {
  process.stderr.write(`bench: ${mib} MiB…\n`);
  rows.push(await benchSize(mib));
}
console.log('| model size | cp | export (file://) | import (file://) | export peak RSS | import peak RSS |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}; ${new Date().toISOString()}; bytes from /dev/urandom-like data, page cache warm for cp and the actions alike.`);
