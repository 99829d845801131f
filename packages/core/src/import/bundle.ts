/**
 * Reading a bundle and checking everything that can be checked before a single byte is written
 * or a single entity registered: the manifest (size, schema version, schema, digest, folder),
 * every path (no escape from the bundle), every declared size (sane, and equal to the stored
 * object's), and the store's own checksums where the manifest carries them.
 */
import type { Storage } from '@google-cloud/storage';
import { InputError, IntegrityError } from '../errors.js';
import { keyProblem, mapLimit, openExchange, parseExchangeUri, type ExchangeStore, type ObjectInfo } from '../exchange/index.js';
import {
  ARTIFACTS_DIR,
  digestHex,
  digestOfManifest,
  MANIFEST_FILE,
  MANIFEST_SCHEMA_VERSION,
  ManifestSchema,
  type Manifest,
  type ManifestArtifact,
  type ManifestFile,
} from '../manifest/index.js';

/** A manifest is metadata: anything this large is not one. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** The largest object GCS stores (5 TiB); a larger declared size is a corrupt or hostile manifest. */
export const MAX_FILE_BYTES = 5 * 1024 ** 4;
/** Files per bundle. */
export const MAX_FILES = 100_000;

export interface BundleFile {
  artifact: ManifestArtifact;
  file: ManifestFile;
  /** Key of the file in the bundle store (relative to the bundle root). */
  key: string;
}

export interface OpenedBundle {
  /** The store rooted at the bundle folder. */
  store: ExchangeStore;
  /** Normalised URI of the bundle folder. */
  rootUri: string;
  /** The folder's own name (must be the digest's hex). */
  folder: string;
  manifestUri: string;
}

export interface VerifiedBundle extends OpenedBundle {
  manifest: Manifest;
  files: BundleFile[];
  totalBytes: number;
}

/** Splits `<bundle root>/manifest.json` and opens the root. */
export async function openBundle(manifestUri: string, storage: unknown): Promise<OpenedBundle> {
  const raw = (manifestUri ?? '').trim().replace(/\/+$/, '');
  const cut = raw.lastIndexOf('/');
  if (cut < 0 || raw.slice(cut + 1) !== MANIFEST_FILE) {
    throw new InputError('manifest', `expected the URI of a bundle's ${MANIFEST_FILE} (<exchange>/<model>/<digest>/${MANIFEST_FILE}), got '${raw.slice(0, 200)}'.`);
  }
  // `/manifest.json`, `file:///manifest.json`: the root is `/`, whose name is no digest (refused later).
  const rootRaw = raw.slice(0, cut) || '/';
  let loc;
  try {
    loc = parseExchangeUri(rootRaw.endsWith(':/') || rootRaw.endsWith('://') ? `${rootRaw}/` : rootRaw);
  } catch (e) {
    if (e instanceof InputError) throw new InputError('manifest', e.message.replace(/^Input 'exchange': /, ''));
    throw e;
  }
  const folder = loc.scheme === 'gs' ? (loc.prefix.split('/').pop() ?? '') : (loc.root.split('/').pop() ?? '');
  const store = await openExchange(loc.uri, storage === undefined ? {} : { storage: storage as Storage });
  return { store, rootUri: store.uri, folder, manifestUri: `${store.uri}/${MANIFEST_FILE}` };
}

/** Reads and checks the manifest: bounded size, schema version, schema, bundle digest, folder. */
export async function readManifest(b: OpenedBundle): Promise<Manifest> {
  const where = b.manifestUri;
  const info = await b.store.stat(MANIFEST_FILE);
  if (!info) throw new IntegrityError(`No manifest at ${where}: a bundle is complete only once its ${MANIFEST_FILE} is written.`);
  if (info.size > MAX_MANIFEST_BYTES) {
    throw new IntegrityError(`Manifest ${where} is ${info.size} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have.`);
  }
  const chunks: Buffer[] = [];
  for await (const c of await b.store.get(MANIFEST_FILE, { expectedSize: info.size })) chunks.push(c as Buffer);
  const m = parseManifestText(Buffer.concat(chunks).toString('utf8'), where);
  if (digestHex(m.bundleDigest) !== b.folder) {
    throw new IntegrityError(
      `Manifest ${where} is in folder '${b.folder}', but a bundle lives in the folder named after its digest (${digestHex(m.bundleDigest)}).`,
    );
  }
  return m;
}


/**
 * Parses and checks a manifest's text wherever it came from (a bundle, or the workflow artifact a
 * gate reads): JSON, the schema version this release reads, the schema, and a digest that matches
 * its own content.
 */
export function parseManifestText(text: string, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new IntegrityError(`Manifest ${where} is not valid JSON.`);
  }
  const version = json !== null && typeof json === 'object' ? (json as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version !== MANIFEST_SCHEMA_VERSION) {
    const shown = version === undefined ? 'no schemaVersion' : `schema version ${JSON.stringify(version)}`;
    throw new IntegrityError(
      `Manifest ${where} has ${shown}; this action reads schema version ${MANIFEST_SCHEMA_VERSION} only (use a matching mlops-actions release to import it).`,
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    throw new IntegrityError(`Manifest ${where} is not a valid bundle manifest: ${shown.join('; ')}${more}.`);
  }
  const m = parsed.data;
  const recomputed = digestOfManifest(m);
  if (recomputed !== m.bundleDigest) {
    throw new IntegrityError(
      `Manifest ${where}: its bundleDigest ${m.bundleDigest} does not match its content (${recomputed}); it was changed after export.`,
    );
  }
  return m;
}

/**
 * Every file of the bundle, after checking that its key cannot escape the bundle, that names
 * and paths are unique, that declared sizes are sane and that each file declares a digest.
 */
export function bundleFiles(m: Manifest, where: string): BundleFile[] {
  const fail = (msg: string): never => {
    throw new IntegrityError(`Manifest ${where}: ${msg}`);
  };
  const names = new Set<string>();
  const dirs = new Set<string>();
  const keys = new Set<string>();
  const out: BundleFile[] = [];
  for (const a of m.artifacts) {
    if (names.has(a.name)) fail(`artifact '${a.name}' is listed twice.`);
    names.add(a.name);
    const dirProblem = keyProblem(a.bundleDir);
    if (dirProblem) fail(`artifact '${a.name}': bundleDir ${JSON.stringify(a.bundleDir)} ${dirProblem}.`);
    if (!a.bundleDir.startsWith(`${ARTIFACTS_DIR}/`)) fail(`artifact '${a.name}': bundleDir ${JSON.stringify(a.bundleDir)} is not under ${ARTIFACTS_DIR}/.`);
    if (dirs.has(a.bundleDir)) fail(`artifact '${a.name}': bundleDir ${JSON.stringify(a.bundleDir)} is used by another artifact.`);
    dirs.add(a.bundleDir);
    if (a.singleFile && a.files.length !== 1) fail(`artifact '${a.name}' is a single file but lists ${a.files.length} files.`);
    for (const f of a.files) {
      const key = `${a.bundleDir}/${f.path}`;
      const problem = keyProblem(f.path) ?? keyProblem(key);
      if (problem) fail(`artifact '${a.name}': file path ${JSON.stringify(f.path)} ${problem}.`);
      if (keys.has(key)) fail(`artifact '${a.name}': file ${JSON.stringify(f.path)} is listed twice.`);
      keys.add(key);
      if (!Number.isSafeInteger(f.size) || f.size < 0 || f.size > MAX_FILE_BYTES) {
        fail(`artifact '${a.name}': file ${JSON.stringify(f.path)} declares ${f.size} bytes (at most ${MAX_FILE_BYTES} allowed).`);
      }
      if (!f.sha256 && !f.md5 && !f.crc32c) fail(`artifact '${a.name}': file ${JSON.stringify(f.path)} declares no sha256, md5 or crc32c.`);
      out.push({ artifact: a, file: f, key });
    }
  }
  if (out.length > MAX_FILES) fail(`${out.length} files, more than the ${MAX_FILES} a bundle may have.`);
  return out;
}

/**
 * Stats every file (no bytes read): present, a regular object (file:// refuses symlinks), the
 * declared size, and equal to the store's own checksums where both sides have them.
 */
export async function checkFilesPresent(b: OpenedBundle, files: BundleFile[]): Promise<ObjectInfo[]> {
  return mapLimit(files, b.store.parallelism, async ({ artifact, file, key }) => {
    const what = `${b.rootUri}/${key} (artifact '${artifact.name}')`;
    const info = await b.store.stat(key);
    if (!info) throw new IntegrityError(`Bundle file ${what} is missing.`);
    if (info.size !== file.size) throw new IntegrityError(`Bundle file ${what} is ${info.size} bytes; the manifest says ${file.size}.`);
    if (file.md5 && info.md5 && info.md5 !== file.md5) throw new IntegrityError(`Bundle file ${what} has md5 ${info.md5}; the manifest says ${file.md5}.`);
    if (file.crc32c && info.crc32c && info.crc32c !== file.crc32c) {
      throw new IntegrityError(`Bundle file ${what} has crc32c ${info.crc32c}; the manifest says ${file.crc32c}.`);
    }
    if (file.sha256 && info.sha256 && info.sha256 !== file.sha256) {
      throw new IntegrityError(`Bundle file ${what} has sha256 ${info.sha256}; the manifest says ${file.sha256}.`);
    }
    return info;
  });
}

/** Opens, reads and checks the bundle; nothing is written anywhere. */
export async function verifyBundle(manifestUri: string, storage: unknown): Promise<VerifiedBundle> {
  const opened = await openBundle(manifestUri, storage);
  const manifest = await readManifest(opened);
  const files = bundleFiles(manifest, opened.manifestUri);
  await checkFilesPresent(opened, files);
  const totalBytes = files.reduce((n, f) => n + f.file.size, 0);
  return { ...opened, manifest, files, totalBytes };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
