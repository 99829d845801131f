/**
 * Page-cache state of the bench's files. Dropping the whole cache needs CAP_SYS_ADMIN
 * (/proc/sys/vm/drop_caches), which a container's root usually lacks; evicting one file's clean
 * pages with posix_fadvise(DONTNEED) needs nothing, and GNU dd exposes it as `iflag=nocache`.
 * Each timed copy (cp and ours) starts from a source evicted this way, so both read from disk.
 *
 * On this kind of VM the first read of a file after it was written runs at about half speed,
 * whoever reads it (cp included: measured 1.9 s against 0.86 s for the second read of the same
 * fresh 1 GiB file). The exchange file import reads was written moments earlier by export, while
 * cp's source had already been read, so every source is first read through once, then evicted:
 * each timed copy then meets its source in the same state.
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

/** Reads `path` through once (see above), then evicts it; says whether the eviction worked. */
export function primeAndEvict(path: string, size: number): 'cold' | 'unknown' | 'warm' {
  execFileSync('dd', [`if=${path}`, 'of=/dev/null', 'bs=4M', 'status=none']);
  return evictChecked(path, size);
}

/** Evicts, then says whether it worked (fincore reports ≤ 1% resident). */
export function evictChecked(path: string, size: number): 'cold' | 'unknown' | 'warm' {
  evict(path);
  const res = residentBytes(path);
  if (res === undefined) return 'unknown';
  return res <= size / 100 ? 'cold' : 'warm';
}
