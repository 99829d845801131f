/**
 * The bundle in the exchange: finding existing ones, placing staged files, writing the manifest
 * last, and clearing the staging area.
 */
import { IntegrityError } from '../errors.js';
import { mapLimit } from '../exchange/map-limit.js';
import type { ExchangeStore, MoveResult } from '../exchange/types.js';
import { keySegment, MANIFEST_FILE, manifestKey } from '../manifest/layout.js';
import { ManifestSchema, type Manifest } from '../manifest/schema.js';
import { manifestText } from './build-manifest.js';
import type { TransferStats } from './transfer.js';

async function readAll(store: ExchangeStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The manifest at `key`; undefined when absent; IntegrityError when something else is there. */
export async function readManifest(store: ExchangeStore, key: string): Promise<Manifest | undefined> {
  if (!(await store.exists(key))) return undefined;
  let json: unknown;
  try {
    json = JSON.parse((await readAll(store, key)).toString('utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new IntegrityError(`${store.uri}/${key} exists but is not JSON; refusing to treat it as a bundle.`);
    throw e;
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IntegrityError(`${store.uri}/${key} exists but is not a valid manifest (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`);
  }
  return parsed.data;
}

/**
 * Complete bundles of this model already in the exchange that were exported from `modelVersionId`
 * (unreadable or foreign manifests are ignored here). Lists the model's prefix.
 */
export async function bundlesOfVersion(store: ExchangeStore, model: string, modelVersionId: string): Promise<Manifest[]> {
  const seg = keySegment(model);
  const pattern = new RegExp(`^${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f]{64}/${MANIFEST_FILE.replace('.', '\\.')}$`);
  const keys: string[] = [];
  for await (const o of store.list(`${seg}/`)) if (pattern.test(o.key)) keys.push(o.key);
  const found: Manifest[] = [];
  for (const key of keys) {
    const m = await readManifest(store, key).catch(() => undefined);
    if (m && m.source.modelVersionId === modelVersionId && manifestKey(model, m.bundleDigest) === key) found.push(m);
  }
  return found;
}

/** `move` where the store has it; otherwise copy through the runner, then delete. */
async function moveObject(store: ExchangeStore, from: string, to: string): Promise<MoveResult> {
  if (store.move) return store.move(from, to);
  const info = await store.stat(from);
  if (!info) throw new IntegrityError(`${store.uri}/${from}: no such object.`);
  const put = await store.put(to, await store.get(from, { expectedSize: info.size }), { expectedSize: info.size });
  await store.delete(from);
  return { key: to, size: put.size, written: put.written };
}

/** Staged files into the bundle; an identical file already there is left as it is. */
export async function placeStaged(store: ExchangeStore, moves: Array<{ from: string; to: string }>, stats: TransferStats): Promise<void> {
  await mapLimit(moves, store.parallelism, async ({ from, to }) => {
    const r = await moveObject(store, from, to);
    if (r.written) stats.filesWritten++;
    else stats.filesSkipped++;
  });
}

/**
 * Writes the manifest (the bundle is complete from this moment). When another export completed the
 * same bundle in between, its manifest stays and is returned with written:false.
 */
export async function writeManifest(store: ExchangeStore, key: string, manifest: Manifest): Promise<{ manifest: Manifest; written: boolean }> {
  try {
    const r = await store.put(key, Buffer.from(manifestText(manifest), 'utf8'));
    return { manifest, written: r.written };
  } catch (e) {
    if (!(e instanceof IntegrityError)) throw e;
    const theirs = await readManifest(store, key);
    if (theirs && theirs.bundleDigest === manifest.bundleDigest) return { manifest: theirs, written: false };
    throw e;
  }
}

/** Removes whatever is left under the staging prefix. */
export async function clearStaging(store: ExchangeStore, prefix: string): Promise<number> {
  const keys: string[] = [];
  for await (const o of store.list(`${prefix}/`)) keys.push(o.key);
  await mapLimit(keys, store.parallelism, (k) => store.delete(k));
  return keys.length;
}
