import { createHash } from 'node:crypto';
import type { Manifest } from './schema.js';

/**
 * Where things live in the exchange:
 *
 *   <model>/<bundle-digest-hex>/artifacts/<artifact>/<files…>   the bytes, as they were in the store
 *   <model>/<bundle-digest-hex>/manifest.json                   written last: the bundle is complete
 *   <model>/.staging/<model-version-id>/…                       export's working area (see export)
 */
export const MANIFEST_FILE = 'manifest.json';
export const ARTIFACTS_DIR = 'artifacts';
export const STAGING_DIR = '.staging';

/**
 * A model or artifact name as one safe key segment. ZenML names may hold characters that are
 * path separators or special in object stores; those are percent-encoded, so the mapping is
 * one-to-one and readable for ordinary names.
 */
export function keySegment(name: string): string {
  const seg = name.replace(/[^A-Za-z0-9._-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  // "." and ".." are path navigation, not names.
  return seg === '.' || seg === '..' ? seg.replace(/\./g, '%2E') : seg;
}

export function digestHex(bundleDigest: string): string {
  return bundleDigest.replace(/^sha256:/, '');
}

export function bundlePrefix(model: string, bundleDigest: string): string {
  return `${keySegment(model)}/${digestHex(bundleDigest)}`;
}

export function manifestKey(model: string, bundleDigest: string): string {
  return `${bundlePrefix(model, bundleDigest)}/${MANIFEST_FILE}`;
}

export function artifactBundleDir(artifactName: string): string {
  return `${ARTIFACTS_DIR}/${keySegment(artifactName)}`;
}

export function stagingPrefix(model: string, modelVersionId: string): string {
  return `${keySegment(model)}/${STAGING_DIR}/${modelVersionId}`;
}

/** JSON with object keys sorted at every level and no white space: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** What the bundle digest covers: the content, never when or by whom it was exported. */
export type DigestInput = Pick<Manifest, 'metrics' | 'metadata'> & {
  modelVersionId: string;
  model: Omit<Manifest['model'], 'stage'>;
  artifacts: Pick<Manifest['artifacts'][number], 'name' | 'artifactVersionId' | 'type' | 'materializer' | 'dataType' | 'singleFile' | 'files'>[];
};

/**
 * sha256 over the canonical JSON of the content. The stage is left out on purpose: promoting the
 * source version to another stage does not change what would be shipped. Artifacts and files are
 * sorted, so the order the server listed them in does not matter.
 */
export function computeBundleDigest(input: DigestInput): string {
  const normalised = {
    modelVersionId: input.modelVersionId,
    model: input.model,
    metrics: input.metrics,
    metadata: input.metadata,
    artifacts: [...input.artifacts]
      .map((a) => ({ ...a, files: [...a.files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)) }))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
  };
  return `sha256:${createHash('sha256').update(canonicalJson(normalised)).digest('hex')}`;
}

/** The digest a manifest claims, recomputed from its own content (import checks they agree). */
export function digestOfManifest(m: Manifest): string {
  const { stage: _stage, ...model } = m.model;
  return computeBundleDigest({
    modelVersionId: m.source.modelVersionId,
    model,
    metrics: m.metrics,
    metadata: m.metadata,
    artifacts: digestArtifacts(m.artifacts),
  });
}

/** The part of each artifact the digest covers (not its URI, tags or metadata: where and how it is labelled). */
export function digestArtifacts(artifacts: Manifest['artifacts']): DigestInput['artifacts'] {
  return artifacts.map(({ name, artifactVersionId, type, materializer, dataType, singleFile, files }) => ({
    name,
    artifactVersionId,
    type,
    materializer,
    dataType,
    singleFile,
    files,
  }));
}
