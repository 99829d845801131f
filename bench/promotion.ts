/**
 * `npm run bench`: the suite against the physical limits, side by side in one run —
 *
 *   cold start   each dist/<name>/index.js to its first HTTP request, vs `node -e 0`
 *   throughput   export + import through file:// vs `cp` (and `cp` + fsync) of the same bytes
 *   memory       peak RSS of export and import at each size
 *   requests     per promotion, by artifact count and server population; logins per job
 *   server-side  gs:// everywhere: bytes through the runner vs artifact bytes
 *
 * Prints one Markdown report (README quotes it) and writes it to bench/RESULTS.md. Never part of
 * the tests: timings are measured here, not asserted anywhere.
 *
 *   npm run bench                       64 MiB and 1 GiB (4 GiB too when the disk has room)
 *   BENCH_SIZES_MIB=64 npm run bench    sizes to run
 *   BENCH_ONLY=cold,requests npm run bench   sections: cold, throughput, requests, server-side
 *   BENCH_NODE=/path/to/node npm run bench  cold start on that Node.js too (actions run on node24)
 */
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/harness/run-bundle.js';
import { benchColdStart } from './cold-start.js';
import { smallBundle } from './fixture.js';
import { report, type Results } from './report.js';
import { benchRequests } from './requests.js';
import { benchServerSide } from './server-side.js';
import { settleDisk } from './settle.js';
import { benchThroughput } from './throughput.js';

const MiB = 1024 * 1024;

function sizes(): number[] {
  if (process.env.BENCH_SIZES_MIB) return process.env.BENCH_SIZES_MIB.split(',').map((s) => Number(s.trim()));
  const free = statfsSync(tmpdir());
  const freeMiB = (free.bavail * free.bsize) / MiB;
  // Source, exchange and destination each hold a copy, plus cp's: 4× the size, with room to spare.
  return freeMiB > 4096 * 5 ? [64, 1024, 4096] : [64, 1024];
}

const only = new Set((process.env.BENCH_ONLY ?? 'cold,throughput,requests,server-side').split(',').map((s) => s.trim()));
const log = (s: string): boolean => process.stderr.write(`bench: ${s}\n`);
const results: Results = {
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${process.platform}/${process.arch}`,
  at: new Date().toISOString(),
};

if (only.has('cold')) {
  const settled = await settleDisk();
  log(`disk ${settled.quiet ? 'quiet' : 'still busy'} after ${(settled.waitedMs / 1000).toFixed(0)} s; cold start (each action paired with a node -e 0)…`);
  const b = await smallBundle();
  try {
    const runs = Number(process.env.BENCH_COLD_RUNS ?? 20);
    results.cold = [await benchColdStart(b.manifest, runs)];
    // Actions run on node24; a machine with an older Node can time that runtime too.
    if (process.env.BENCH_NODE) {
      log(`cold start again on ${process.env.BENCH_NODE}…`);
      results.cold.push(await benchColdStart(b.manifest, runs, process.env.BENCH_NODE));
    }
  } finally {
    rmSync(b.dir, { recursive: true, force: true });
  }
}
if (only.has('throughput')) {
  results.throughput = [];
  for (const mib of sizes()) {
    log(`throughput ${mib} MiB…`);
    // This VM's disk varies from one run to the next by up to 3× for the same copy: 6 runs, 3 in
    // each order.
    results.throughput.push(await benchThroughput(mib, 6, log));
  }
}
if (only.has('requests')) {
  log('requests per promotion…');
  results.requests = await benchRequests();
}
if (only.has('server-side')) {
  log('server-side copy (GCS emulator)…');
  results.serverSide = await benchServerSide();
}

const md = report(results);
console.log(md);
writeFileSync(join(repoRoot, 'bench', 'RESULTS.md'), md);
log('written to bench/RESULTS.md');
// The GCS emulator's registry keeps timers alive.
process.exit(0);
