/**
 * Copies the bundle's files into the destination artifact store, verifying every byte on the
 * way: sha256 (and size) while streaming through the runner, or, for gs:// → gs:// entries that
 * carry the store's own md5/crc32c, a server-side copy whose checksums are compared. Idempotent
 * (identical files already there are left alone). If a file fails verification, the files this
 * run wrote are removed again, so nothing unverified stays under its final name.
 */
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';
import { mapLimit, type ExchangeStore } from '../exchange/index.js';
import { createProgress } from '../transfer/progress.js';
import type { BundleFile } from './bundle.js';
import { ChecksumVerifyingStream } from './checksums.js';

export interface CopyItem {
  src: BundleFile;
  /** Key in the destination store. */
  destKey: string;
}

export interface CopyOutcome {
  written: number;
  skipped: number;
  serverSide: number;
  bytesWritten: number;
}

/** Server-side copy is used when both stores can, and the manifest has a store checksum to compare with. */
export function copiesServerSide(src: ExchangeStore, dest: ExchangeStore, item: CopyItem): boolean {
  return Boolean(src.copyTo && src.canCopyServerSide(dest) && (item.src.file.md5 || item.src.file.crc32c));
}

/**
 * The bytes of one bundle file, verified while they stream: size and sha256 by the store's
 * `get`, md5/crc32c (entries without sha256) by a checksum pass-through.
 */
async function verifiedStream(src: ExchangeStore, item: BundleFile, onProgress: (n: number) => void): Promise<Readable> {
  const { file, key } = item;
  let last = 0;
  const stream = await src.get(key, {
    expectedSize: file.size,
    ...(file.sha256 ? { expectedSha256: file.sha256 } : {}),
    onProgress: (total) => {
      onProgress(total - last);
      last = total;
    },
  });
  if (file.sha256 || (!file.md5 && !file.crc32c)) return stream;
  const check = new ChecksumVerifyingStream({ md5: file.md5, crc32c: file.crc32c }, `${src.uri}/${key}`);
  pipeline(stream, check, () => undefined);
  return check;
}

export async function copyFiles(
  src: ExchangeStore,
  dest: ExchangeStore,
  items: CopyItem[],
  log: (line: string) => void,
): Promise<CopyOutcome> {
  const total = items.reduce((n, i) => n + i.src.file.size, 0);
  const progress = createProgress({ label: `Copying ${items.length} file(s) to ${dest.uri}`, total, log });
  const writtenKeys: string[] = [];
  const outcome: CopyOutcome = { written: 0, skipped: 0, serverSide: 0, bytesWritten: 0 };

  const one = async (item: CopyItem): Promise<void> => {
    const { file } = item.src;
    if (copiesServerSide(src, dest, item)) {
      const before = await dest.stat(item.destKey);
      const info = await (src.copyTo as NonNullable<ExchangeStore['copyTo']>)(item.src.key, dest, item.destKey);
      if (info.size !== file.size || (file.md5 && info.md5 && info.md5 !== file.md5) || (file.crc32c && info.crc32c !== file.crc32c)) {
        if (!before) writtenKeys.push(item.destKey);
        throw new IntegrityError(`${dest.uri}/${item.destKey}: the copy does not match the manifest (size, md5 or crc32c).`);
      }
      progress.add(file.size);
      outcome.serverSide++;
      if (before) outcome.skipped++;
      else {
        writtenKeys.push(item.destKey);
        outcome.written++;
        outcome.bytesWritten += file.size;
      }
      return;
    }
    const stream = await verifiedStream(src, item.src, (n) => progress.add(n));
    const res = await dest.put(item.destKey, stream, {
      expectedSize: file.size,
      ...(file.sha256 ? { expectedSha256: file.sha256 } : {}),
    });
    if (res.written) {
      writtenKeys.push(item.destKey);
      outcome.written++;
      outcome.bytesWritten += res.size;
    } else {
      outcome.skipped++;
    }
  };

  try {
    await mapLimit(items, Math.max(1, Math.min(src.parallelism, dest.parallelism)), one);
  } catch (e) {
    // Integrity failures undo this run's writes; a transient failure keeps them for the re-run.
    if (e instanceof IntegrityError && writtenKeys.length) {
      await Promise.all(writtenKeys.map((k) => dest.delete(k).catch(() => undefined)));
      log(`Removed the ${writtenKeys.length} file(s) this run had copied to ${dest.uri}.`);
    }
    throw e;
  }
  progress.done();
  return outcome;
}

/** Dry run: reads and verifies every file that the real run would stream; writes nothing. */
export async function verifyFiles(src: ExchangeStore, dest: ExchangeStore, items: CopyItem[], log: (line: string) => void): Promise<void> {
  const streamed = items.filter((i) => !copiesServerSide(src, dest, i));
  const total = streamed.reduce((n, i) => n + i.src.file.size, 0);
  const progress = createProgress({ label: `Verifying ${streamed.length} file(s)`, total, log });
  await mapLimit(streamed, src.parallelism, async (item) => {
    const stream = await verifiedStream(src, item.src, (n) => progress.add(n));
    for await (const _chunk of stream) void _chunk;
  });
  progress.done();
}
