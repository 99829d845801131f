/** The bench's Markdown report: one section per measurement, each with its goal and whether it is met. */
import type { ColdStartRow } from './cold-start.js';
import type { RequestsRow } from './requests.js';
import type { ServerSideRow } from './server-side.js';
import type { ThroughputRow } from './throughput.js';

export interface Results {
  machine: string;
  at: string;
  /** One per Node.js runtime timed. */
  cold?: { nodeVersion: string; nodeMs: number; runs: number; rows: ColdStartRow[] }[];
  throughput?: ThroughputRow[];
  requests?: RequestsRow[];
  serverSide?: ServerSideRow;
}

const MiB = 1024 * 1024;
const COLD_GOAL = 1.8;
const FILE_GOAL = 3_000_000;
const RATE_GOAL = 0.8;
const RSS_GOAL = 150;

const ok = (met: boolean): string => (met ? '✅' : '❌');
const mb = (n: number): string => `${(n / 1_000_000).toFixed(2)} MB`;
const size = (mib: number): string => (mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`);
const bytes = (n: number): string => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function cold(c: NonNullable<Results['cold']>[number]): string[] {
  const out = [
    `### Cold start on Node ${c.nodeVersion} (median of ${c.runs}; \`node -e 0\`: ${c.nodeMs.toFixed(0)} ms)`,
    '',
    `Goal: ≤ ${COLD_GOAL}× bare node start for every action; no emitted file above 3 MB. Each run of an action follows a ` +
      '`node -e 0` of its own, and "× node" is the action\'s median over the median of those, so that the VM\'s drift ' +
      'during the run falls on both sides alike.',
    '',
    '| action | to first request | × node | entry + chunks (.js) | largest file |',
    '|---|---|---|---|---|',
  ];
  for (const r of c.rows) {
    out.push(
      `| ${r.name} | ${r.ms.toFixed(0)} ms | ${r.ratio.toFixed(2)}× ${ok(r.ratio <= COLD_GOAL)} | ${mb(r.totalJs)} | ` +
        `${r.largestFile.name} ${mb(r.largestFile.bytes)} ${ok(r.largestFile.bytes <= FILE_GOAL)} |`,
    );
  }
  return out;
}

function throughput(rows: ThroughputRow[]): string[] {
  const out = [
    '### Throughput and memory (file:// exchange; bundled actions as child processes)',
    '',
    `Goal: ≥ ${RATE_GOAL}× \`cp\` throughput; peak RSS ≤ ${RSS_GOAL} MB at every size. Throughput is the transfer's, as ` +
      'actions/cache reports it: from the actions\' own closing progress line (first byte read to last file fsynced and ' +
      'published, sha256 in the same pass). Process start-up is the cold-start goal\'s; whole processes are in the second table. ' +
      'The actions fsync each file before publishing it, so the baseline is `cp` of the same file followed by `sync` of its ' +
      'copy: the model file for export, the exchange file (export\'s output) for import. This VM reads two files of ' +
      'identical bytes at speeds up to 2.5× apart, so each action is compared with `cp` of its own source; the ratio ' +
      'against the other file\'s `cp` is given in brackets. `cp` goes before the action in one run and after it in the ' +
      'next, and whichever goes second finds the disk slower (the first one\'s writes are still being flushed), so each ' +
      'ratio is over all the runs, half in each order: total `cp` time over total action time; the range is of the ' +
      'per-run ratios. Rates are medians. Every source has been read once since it was written, ' +
      'then evicted from the page cache (posix_fadvise DONTNEED; `drop_caches` needs more privilege than this container ' +
      'has): see bench/cache.ts.',
    '',
    '| model size | runs | cp + fsync: model / exchange file | export transfer | import transfer | export peak RSS | import peak RSS | source cache |',
    '|---|---|---|---|---|---|---|---|',
  ];
  // The ratio over all runs, with the range of the per-run ratios.
  const rel = (x: { median: number; min: number; max: number } | undefined, rate: number, other: number): string =>
    x === undefined
      ? 'n/a'
      : `${rate.toFixed(0)} MiB/s, ${x.median.toFixed(2)}× ${ok(x.median >= RATE_GOAL)} (${x.min.toFixed(2)}–${x.max.toFixed(2)}×; ${(rate / other).toFixed(2)}× the other file's)`;
  for (const r of rows) {
    out.push(
      `| ${size(r.mib)} | ${r.runs} | ${r.cpSync.toFixed(0)} / ${r.cpSyncImp.toFixed(0)} MiB/s | ` +
        `${rel(r.ratios?.expCopy, r.expCopy, r.cpSyncImp)} | ${rel(r.ratios?.impCopy, r.impCopy, r.cpSync)} | ` +
        `${r.expRss.toFixed(0)} MiB ${ok(r.expRss * 1.048576 <= RSS_GOAL)} | ${r.impRss.toFixed(0)} MiB ${ok(r.impRss * 1.048576 <= RSS_GOAL)} | ${r.cache} |`,
    );
  }
  out.push(
    '',
    'Whole processes (node start, loading, API calls, transfer, fsync) against `cp` + fsync of their own source. ' +
      '"Node ceiling" is the best ratio any Node.js process could reach there: `cp` + fsync time over that time plus ' +
      '`node -e 0`; below about 1 GiB Node\'s own start-up decides it, not the copy.',
    '',
    '| model size | cp (no fsync) | export | import | Node ceiling (export / import) | `node -e 0` |',
    '|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    const ceiling = (cpRate: number): string => {
      const cpMs = (r.mib / cpRate) * 1000;
      return (cpMs / (cpMs + r.nodeMs)).toFixed(2);
    };
    const whole = (rate: number, x: { median: number } | undefined): string => `${rate.toFixed(0)} MiB/s (${x === undefined ? 'n/a' : `${x.median.toFixed(2)}×`})`;
    out.push(
      `| ${size(r.mib)} | ${r.cp.toFixed(0)} MiB/s | ${whole(r.exp, r.ratios?.exp)} | ${whole(r.imp, r.ratios?.imp)} | ` +
        `${ceiling(r.cpSync)}× / ${ceiling(r.cpSyncImp)}× | ${r.nodeMs.toFixed(0)} ms |`,
    );
  }
  return out;
}

function requests(rows: RequestsRow[]): string[] {
  const out = [
    '### HTTP requests per promotion (test servers\' request logs)',
    '',
    'Export (source server) + import + promote (destination server), each its own job. Population: other versions of ' +
      'the model on both servers, each with its own artifact versions (same names) and pipeline run. Goal: O(artifacts), ' +
      'independent of the population; one login per server per job.',
    '',
    '| artifacts | population | export | import | promote | total | logins (export / import / promote) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(`| ${r.artifacts} | ${r.population} | ${r.exportRequests} | ${r.importRequests} | ${r.promoteRequests} | ${r.total} | ${r.logins} |`);
  }
  const byN = new Map<number, Set<number>>();
  for (const r of rows) byN.set(r.artifacts, (byN.get(r.artifacts) ?? new Set()).add(r.total));
  const flat = [...byN.values()].every((s) => s.size === 1);
  const oneLogin = rows.every((r) => r.logins === '1 / 1 / 1');
  out.push('', `Independent of the population: ${ok(flat)}. One login per server per job: ${ok(oneLogin)}.`);
  return out;
}

function serverSide(s: ServerSideRow): string[] {
  const through = s.exportThroughRunner + s.importThroughRunner;
  return [
    '### Server-side copy (gs:// source store, exchange and destination store; GCS emulator)',
    '',
    'Body bytes through a counting proxy between the runner and the storage service (uploads + downloads, ' +
      'including JSON metadata), for export + import of one artifact.',
    '',
    '| artifact bytes | manifest | through the runner: export | import | total | copies server-side |',
    '|---|---|---|---|---|---|',
    `| ${bytes(s.artifactBytes)} | ${bytes(s.manifestBytes)} | ${bytes(s.exportThroughRunner)} | ${bytes(s.importThroughRunner)} | ` +
      `${bytes(through)} (${((through / s.artifactBytes) * 100).toFixed(3)}% of the artifact) ${ok(through < s.artifactBytes / 100)} | ${s.serverSideCopies} |`,
  ];
}

export function report(r: Results): string {
  const parts: string[][] = [[`## Bench (\`npm run bench\`)`, '', `${r.machine}; ${r.at}.`]];
  for (const c of r.cold ?? []) parts.push(cold(c));
  if (r.throughput) parts.push(throughput(r.throughput));
  if (r.requests) parts.push(requests(r.requests));
  if (r.serverSide) parts.push(serverSide(r.serverSide));
  return `${parts.map((p) => p.join('\n')).join('\n\n')}\n`;
}
