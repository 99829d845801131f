/**
 * Moving an artifact's bytes: from its store (streamed, or copied server-side gs→gs) or from the
 * server's archive, into the exchange under a prefix — or only through a hash, to check that an
 * existing bundle still matches the source without writing anything. Every record is made while
 * the bytes stream (sha256), or from the storage service's own checksums (server-side copies).
 */
import type { Readable } from 'node:stream';
import { IntegrityError, TransientError } from '../errors.js';
import { mapLimit } from '../exchange/map-limit.js';
import { streamInto } from '../exchange/streams.js';
import type { ExchangeStore, ObjectInfo, PutResult } from '../exchange/types.js';
import { artifactBundleDir } from '../manifest/layout.js';
import type { ManifestFile } from '../manifest/schema.js';
import { createProgress, type Progress } from '../transfer/progress.js';
import type { ZenmlClient } from '../zenml/client.js';
import type { ArtifactFiles } from './build-manifest.js';
import { downloadArtifactEntries, downloadFailure } from './server-source.js';
import type { ArtifactFacts } from './source-facts.js';
import type { SourceFile, StoreArtifact } from './store-source.js';

/** An artifact to export; `store` is set with artifact-source `store`. */
export interface PlannedArtifact {
  facts: ArtifactFacts;
  store?: StoreArtifact;
}

/**
 * `hash`: read and hash only (nothing written). `exchange`: write under `prefix`; `final` when that
 * is the bundle itself (then files are counted as written/skipped).
 */
export type Target = { kind: 'hash' } | { kind: 'exchange'; prefix: string; final: boolean };

export interface TransferStats {
  filesWritten: number;
  filesSkipped: number;
  serverSideCopies: number;
}

export interface TransferContext {
  client: ZenmlClient;
  exchange: ExchangeStore;
  log: (line: string) => void;
  stats: TransferStats;
}

/** The key of an artifact file under a bundle or staging prefix. */
export function fileKey(prefix: string, artifactName: string, path: string): string {
  return `${prefix}/${artifactBundleDir(artifactName)}/${path}`;
}

/** gs:// source and gs:// exchange, and the source has the checksum the copy is checked with. */
export function copiesServerSide(store: StoreArtifact, f: SourceFile, exchange: ExchangeStore): boolean {
  return f.crc32c !== undefined && typeof store.store.copyTo === 'function' && store.store.canCopyServerSide(exchange);
}

/** The record of a server-side copy: the storage service's checksums (equal on both sides). */
export function copyRecord(f: SourceFile): ManifestFile {
  return { path: f.path, size: f.size, ...(f.md5 ? { md5: f.md5 } : {}), ...(f.crc32c ? { crc32c: f.crc32c } : {}) };
}

function differentContent(e: unknown): boolean {
  return e instanceof IntegrityError && /already exists with different content/.test(e.message);
}

/** A per-stream progress callback (cumulative bytes) feeding the shared progress (deltas). */
function tracker(progress: Progress): { onProgress: (n: number) => void; reset: () => void } {
  let last = 0;
  return {
    onProgress: (n) => {
      progress.add(n - last);
      last = n;
    },
    reset: () => {
      progress.add(-last);
      last = 0;
    },
  };
}

/**
 * put, where an object left at `key` by an earlier attempt is replaced when it differs from the
 * source (a staging key; never used for the bundle itself). `reopen` gives a fresh source for the
 * second try; without it (an archive entry, readable once) the stale object is removed and the
 * error says to run again.
 */
async function putReplacing(
  store: ExchangeStore,
  key: string,
  source: Readable,
  size: number,
  track: ReturnType<typeof tracker>,
  reopen?: () => Promise<Readable>,
): Promise<PutResult> {
  const existing = await store.stat(key);
  if (existing && existing.size !== size) await store.delete(key);
  try {
    return await store.put(key, source, { expectedSize: size, onProgress: track.onProgress });
  } catch (e) {
    if (!differentContent(e)) throw e;
    await store.delete(key);
    if (!reopen) {
      throw new TransientError(`${store.uri}/${key}: an earlier attempt left different bytes there; they were removed. Run the export again.`, 1);
    }
    track.reset();
    return store.put(key, await reopen(), { expectedSize: size, onProgress: track.onProgress });
  }
}

function count(ctx: TransferContext, target: Target, written: boolean): void {
  if (target.kind !== 'exchange' || !target.final) return;
  if (written) ctx.stats.filesWritten++;
  else ctx.stats.filesSkipped++;
}

function inArtifact(a: ArtifactFacts, e: unknown): unknown {
  if (e instanceof IntegrityError && !e.message.startsWith(`Artifact '${a.name}'`)) {
    return new IntegrityError(`Artifact '${a.name}' (${a.uri}): ${e.message}`);
  }
  return e;
}

/** artifact-source `store`: every file of every artifact, `exchange.parallelism` at a time. */
async function fromStores(ctx: TransferContext, planned: PlannedArtifact[], target: Target, label: string): Promise<ArtifactFiles[]> {
  const { exchange } = ctx;
  const jobs = planned.flatMap((p) => (p.store as StoreArtifact).files.map((f) => ({ p, f, store: p.store as StoreArtifact })));
  const streamed = jobs.filter((j) => !copiesServerSide(j.store, j.f, exchange));
  const total = streamed.reduce((n, j) => n + j.f.size, 0);
  const progress = createProgress({ label, total, log: ctx.log });

  const records = await mapLimit(jobs, exchange.parallelism, async ({ p, f, store }): Promise<ManifestFile> => {
    try {
      if (copiesServerSide(store, f, exchange)) {
        if (target.kind === 'hash') return copyRecord(f);
        const key = fileKey(target.prefix, p.facts.name, f.path);
        const before: ObjectInfo | undefined = target.final ? await exchange.stat(key) : undefined;
        const copyTo = store.store.copyTo as NonNullable<ExchangeStore['copyTo']>;
        await copyTo.call(store.store, f.key, exchange, key);
        ctx.stats.serverSideCopies++;
        count(ctx, target, before === undefined);
        return copyRecord(f);
      }
      const track = tracker(progress);
      const open = (): Promise<Readable> => store.store.get(f.key, { expectedSize: f.size });
      if (target.kind === 'hash') {
        const r = await streamInto(await open(), undefined, { what: `${store.store.uri}/${f.key}`, expectedSize: f.size, onProgress: track.onProgress });
        return { path: f.path, size: r.size, sha256: r.sha256 };
      }
      const key = fileKey(target.prefix, p.facts.name, f.path);
      const put = await putReplacing(exchange, key, await open(), f.size, track, open);
      count(ctx, target, put.written);
      return { path: f.path, size: put.size, sha256: put.sha256 };
    } catch (e) {
      throw inArtifact(p.facts, e);
    }
  });
  if (streamed.length) progress.done();

  let i = 0;
  return planned.map((p) => {
    const store = p.store as StoreArtifact;
    const files = records.slice(i, i + store.files.length);
    i += store.files.length;
    return { facts: p.facts, singleFile: store.singleFile, files };
  });
}

function lastSegment(uri: string): string {
  return uri.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** artifact-source `server`: one archive per artifact, entries in archive order. */
async function fromServer(ctx: TransferContext, planned: PlannedArtifact[], target: Target, label: string): Promise<ArtifactFiles[]> {
  const { exchange } = ctx;
  const progress = createProgress({ label, log: ctx.log });
  const out = await mapLimit(planned, Math.min(exchange.parallelism, 4), async ({ facts }): Promise<ArtifactFiles> => {
    const files: ManifestFile[] = [];
    let dirs = 0;
    try {
      for await (const entry of downloadArtifactEntries(ctx.client, facts)) {
        if (entry.type === 'dir') {
          dirs++;
          continue;
        }
        if (entry.type !== 'file' || !entry.body) {
          ctx.log(`Artifact '${facts.name}': skipping '${entry.path}' in the server's archive (tar type '${entry.typeflag}', not a regular file).`);
          continue;
        }
        const track = tracker(progress);
        if (target.kind === 'hash') {
          const r = await streamInto(entry.body, undefined, { what: `${facts.name}/${entry.path}`, expectedSize: entry.size, onProgress: track.onProgress });
          files.push({ path: entry.path, size: r.size, sha256: r.sha256 });
          continue;
        }
        const key = fileKey(target.prefix, facts.name, entry.path);
        const put = await putReplacing(exchange, key, entry.body, entry.size, track);
        count(ctx, target, put.written);
        files.push({ path: entry.path, size: put.size, sha256: put.sha256 });
      }
    } catch (e) {
      throw inArtifact(facts, downloadFailure(facts, e));
    }
    const singleFile = dirs === 0 && files.length === 1 && files[0]?.path === lastSegment(facts.uri);
    return { facts, singleFile, files };
  });
  progress.done();
  return out;
}

export function transferArtifacts(ctx: TransferContext, planned: PlannedArtifact[], target: Target, label: string): Promise<ArtifactFiles[]> {
  const fromStore = planned.every((p) => p.store !== undefined);
  return fromStore ? fromStores(ctx, planned, target, label) : fromServer(ctx, planned, target, label);
}
