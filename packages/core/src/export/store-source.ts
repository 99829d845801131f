/**
 * artifact-source `store`: an artifact's files read straight from its uri (a local path or gs://),
 * through the same ExchangeStore abstraction the bundle is written with. A uri is a folder (its
 * files, recursively) or a single file (then the parent is opened and the file is the one key).
 */
import { lstat } from '../fs-promises.js';
import { basename, dirname } from 'node:path';
import { InputError, IntegrityError } from '../errors.js';
import { openExchange } from '../exchange/open.js';
import type { ExchangeStore, OpenExchangeOptions } from '../exchange/types.js';
import { parseExchangeUri } from '../exchange/uri.js';
import type { ArtifactFacts } from './source-facts.js';

export interface SourceFile {
  /** Relative to the artifact's folder in the bundle. */
  path: string;
  /** Key in `StoreArtifact.store`. */
  key: string;
  size: number;
  /** gs:// only (base64, as GCS reports them). */
  md5?: string;
  crc32c?: string;
}

export interface StoreArtifact {
  store: ExchangeStore;
  singleFile: boolean;
  files: SourceFile[];
}

/** Parent location and base name of a uri that may be a single file; undefined at a root. */
function splitUri(uri: string): { parent: string; base: string } | undefined {
  const loc = parseExchangeUri(uri);
  if (loc.scheme === 'gs') {
    if (!loc.prefix) return undefined;
    const cut = loc.prefix.lastIndexOf('/');
    const parentPrefix = cut < 0 ? '' : loc.prefix.slice(0, cut);
    return { parent: parentPrefix ? `gs://${loc.bucket}/${parentPrefix}` : `gs://${loc.bucket}`, base: loc.prefix.slice(cut + 1) };
  }
  const base = basename(loc.root);
  return base ? { parent: dirname(loc.root), base } : undefined;
}

async function isLocalDirectory(uri: string): Promise<boolean> {
  const loc = parseExchangeUri(uri);
  if (loc.scheme !== 'file') return false;
  try {
    return (await lstat(loc.root)).isDirectory();
  } catch {
    return false;
  }
}

async function open(a: ArtifactFacts, uri: string, storage: OpenExchangeOptions['storage']): Promise<ExchangeStore> {
  try {
    return await openExchange(uri, storage ? { storage, parallelism: 1 } : { parallelism: 1 });
  } catch (e) {
    if (e instanceof InputError) {
      throw new InputError(
        'artifact-source',
        `artifact '${a.name}' is stored at ${a.uri}, which artifact-source 'store' cannot read (local paths and gs:// only). ` +
          "Use artifact-source 'server' to download it through the ZenML server.",
      );
    }
    throw e;
  }
}

/** Lists the files of an artifact's uri. Nothing there → IntegrityError naming the artifact and uri. */
export async function openStoreArtifact(a: ArtifactFacts, storage: OpenExchangeOptions['storage']): Promise<StoreArtifact> {
  const store = await open(a, a.uri, storage);
  const files: SourceFile[] = [];
  for await (const o of store.list('')) files.push(sourceFile(o.key, o.key, o));
  if (files.length) return { store, singleFile: false, files };

  const split = splitUri(a.uri);
  if (split) {
    const parent = await open(a, split.parent, storage);
    const st = await parent.stat(split.base).catch((e: unknown) => {
      if (e instanceof IntegrityError) return undefined; // not a safe single key (e.g. a symlink): treated as missing
      throw e;
    });
    if (st) return { store: parent, singleFile: true, files: [sourceFile(split.base, split.base, st)] };
  }
  // An existing, empty folder is an artifact with no files, not a missing one.
  if (await isLocalDirectory(a.uri)) return { store, singleFile: false, files: [] };
  throw new IntegrityError(
    `Artifact '${a.name}' (version ${a.version}): no file or folder at its uri ${a.uri}. ` +
      'Check that this runner can read the artifact store (or use artifact-source: server).',
  );
}

function sourceFile(path: string, key: string, o: { size: number; md5?: string; crc32c?: string }): SourceFile {
  return { path, key, size: o.size, ...(o.md5 ? { md5: o.md5 } : {}), ...(o.crc32c ? { crc32c: o.crc32c } : {}) };
}
