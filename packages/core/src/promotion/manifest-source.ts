import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { openExchange } from '../exchange/index.js';
import { isManifestUri } from '../handoff/manifest-name.js';
import { manifestKey } from '../manifest/layout.js';
import { MANIFEST_SCHEMA_VERSION, type Manifest } from '../manifest/schema.js';
import { openBundle, parseManifestText, readManifest } from '../import/bundle.js';

/**
 * import-model's `manifest` input is either where the bundle's manifest is (a URI or path), or the
 * name of the workflow artifact the export job uploaded. A workflow artifact holds the manifest
 * only; the bytes stay in the exchange, so the bundle is found there by the digest the manifest
 * names — and the manifest the reviewers approved must be the one in the exchange (importModel
 * recomputes and compares the digest).
 */
export async function resolveManifestUri(opts: {
  manifest: string;
  exchange: string | undefined;
  destDir: string;
  log: (line: string) => void;
}): Promise<string> {
  if (isManifestUri(opts.manifest)) return opts.manifest;
  if (!opts.exchange) {
    throw new InputError('exchange', `is required when 'manifest' names a workflow artifact ('${opts.manifest}'): it says where the bundle's files are`);
  }
  const path = await downloadManifest(opts);
  const { model, digest } = manifestPointer(path, opts.manifest);
  const store = await openExchange(opts.exchange);
  return `${store.uri}/${manifestKey(model, digest)}`;
}

/** The artifact client (and the zip code and zlib under it) loads only for a manifest handed off as a workflow artifact. */
async function downloadManifest(opts: { manifest: string; destDir: string; log: (line: string) => void }): Promise<string> {
  const { downloadManifestArtifact } = await import('../handoff/index.js');
  return downloadManifestArtifact({ name: opts.manifest, destDir: opts.destDir, log: opts.log });
}

/**
 * export-model's hand-off: the manifest uploaded as a workflow artifact of this run. Loaded on this
 * path only, as for the download above: most exports hand the manifest off through the exchange.
 */
export async function handOffManifest(opts: { name: string; file: string; log: (line: string) => void }): Promise<void> {
  const { uploadManifestArtifact } = await import('../handoff/index.js');
  await uploadManifestArtifact(opts);
}

function manifestPointer(path: string, artifact: string): { model: string; digest: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new InputError('manifest', `workflow artifact '${artifact}' does not hold a JSON manifest`);
  }
  const m = parsed as { schemaVersion?: unknown; bundleDigest?: unknown; model?: { name?: unknown } };
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new InputError('manifest', `workflow artifact '${artifact}' holds a manifest of schema version ${String(m.schemaVersion)}; this action reads ${MANIFEST_SCHEMA_VERSION}`);
  }
  if (typeof m.bundleDigest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(m.bundleDigest) || typeof m.model?.name !== 'string') {
    throw new InputError('manifest', `workflow artifact '${artifact}' holds a manifest without a bundle digest and model name`);
  }
  return { model: m.model.name, digest: m.bundleDigest };
}

/** The workflow artifact name export-model uploads a model's manifest under, unless told otherwise. A .json name is stored as the raw file rather than a zip. */
export function manifestArtifactName(model: string): string {
  return `zenml-manifest-${model.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/**
 * The manifest itself, for a step that needs the facts but not the bytes (the gate): read from the
 * bundle when `manifest` is a URI, else from the workflow artifact of that name. Either way it is
 * schema-checked and its digest recomputed.
 */
export async function loadManifest(opts: { manifest: string; destDir: string; log: (line: string) => void; storage?: unknown }): Promise<Manifest> {
  if (isManifestUri(opts.manifest)) return readManifest(await openBundle(opts.manifest, opts.storage));
  const path = await downloadManifest(opts);
  return parseManifestText(readFileSync(path, 'utf8'), `workflow artifact '${opts.manifest}'`);
}
