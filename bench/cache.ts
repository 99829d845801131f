/**
 * Page-cache state of the bench's files. Dropping the whole cache needs CAP_SYS_ADMIN
 * (/proc/sys/vm/drop_caches), which a container's root usually lacks; evicting one file's clean
 * pages with posix_fadvise(DONTNEED) needs nothing, and GNU dd exposes it as `iflag=nocache`.
 * Each timed copy (cp and ours) starts from a source evicted this way, so both read from disk.
 */
import { execFileSync } from 'node:child_process';

/** Flushes dirty pages first (DONTNEED leaves dirty pages alone), then evicts `path`. */
export function evict(path: string): void {
  execFileSync('sync', [path]);
  execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/** Bytes of `path` resident in the page cache (fincore), or undefined when fincore is missing. */
export function residentBytes(path: string): number | undefined {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' });
    return Number(out.trim());
  } catch {
    return undefined;
  }
}

/** Evicts, then says whether it worked (fincore reports ≤ 1% resident). */
export function evictChecked(path: string, size: number): 'cold' | 'unknown' | 'warm' {
  evict(path);
  const res = residentBytes(path);
  if (res === undefined) return 'unknown';
  return res <= size / 100 ? 'cold' : 'warm';
}
