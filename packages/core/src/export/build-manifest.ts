/** The manifest and the bundle digest's input, from the source facts and the files' records. */
import type { RunContext } from '../action/github-context.js';
import { artifactBundleDir, canonicalJson, computeBundleDigest, digestArtifacts, type DigestInput } from '../manifest/layout.js';
import {
  MANIFEST_KIND,
  MANIFEST_SCHEMA_VERSION,
  ManifestSchema,
  type Manifest,
  type ManifestArtifact,
  type ManifestFile,
  type PromotionHop,
} from '../manifest/schema.js';
import { IntegrityError } from '../errors.js';
import { PROMOTION_CHAIN_KEY, thisHop } from './promotion-chain.js';
import type { ArtifactFacts } from './source-facts.js';

/** Recorded in `exportedBy`. */
export const EXPORTER_VERSION = '0.1.0';

/** Everything about the version except the files' records. */
export interface VersionFacts {
  model: Manifest['model'];
  source: Manifest['source'];
  metrics: Record<string, number>;
  metadata: Record<string, unknown>;
  earlierHops: PromotionHop[];
  /** Source project name, for this hop's `from`. */
  projectName: string;
}

/** Numeric run metadata are metrics; everything else (but the promotion chain, kept apart) is metadata. */
export function splitRunMetadata(all: Record<string, unknown>): { metrics: Record<string, number>; metadata: Record<string, unknown> } {
  const metrics: Record<string, number> = {};
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k === PROMOTION_CHAIN_KEY) continue;
    if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    else metadata[k] = v;
  }
  return { metrics, metadata };
}

export interface ArtifactFiles {
  facts: ArtifactFacts;
  singleFile: boolean;
  files: ManifestFile[];
}

function byPath(a: ManifestFile, b: ManifestFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function manifestArtifact(a: ArtifactFiles): ManifestArtifact {
  const f = a.facts;
  return {
    name: f.name,
    bundleDir: artifactBundleDir(f.name),
    artifactVersionId: f.id,
    version: f.version,
    type: f.type,
    materializer: f.materializer,
    dataType: f.dataType,
    uri: f.uri,
    ...(f.artifactStoreId ? { artifactStoreId: f.artifactStoreId } : {}),
    ...(f.contentHash ? { contentHash: f.contentHash } : {}),
    ...(f.saveType ? { saveType: f.saveType } : {}),
    singleFile: a.singleFile,
    runMetadata: f.runMetadata,
    tags: f.tags,
    files: [...a.files].sort(byPath),
  };
}

export function digestInput(v: VersionFacts, artifacts: ManifestArtifact[]): DigestInput {
  const { stage: _stage, ...model } = v.model;
  return {
    modelVersionId: v.source.modelVersionId,
    model,
    metrics: v.metrics,
    metadata: v.metadata,
    artifacts: digestArtifacts(artifacts),
  };
}

export function bundleDigestOf(v: VersionFacts, artifacts: ManifestArtifact[]): string {
  return computeBundleDigest(digestInput(v, artifacts));
}

/** The complete manifest, validated against ManifestSchema (IntegrityError naming the first problems). */
export function buildManifest(v: VersionFacts, artifacts: ManifestArtifact[], bundleDigest: string, run: RunContext): Manifest {
  const hop = thisHop(
    {
      serverUrl: v.source.serverUrl,
      project: v.projectName,
      model: v.model.name,
      version: v.model.versionName,
      modelVersionId: v.source.modelVersionId,
    },
    run,
    bundleDigest,
  );
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    kind: MANIFEST_KIND,
    bundleDigest,
    model: v.model,
    source: v.source,
    metrics: v.metrics,
    metadata: v.metadata,
    artifacts: [...artifacts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    promotionChain: [...v.earlierHops, hop],
    exportedAt: run.at,
    exportedBy: { tool: 'mlops-actions', version: EXPORTER_VERSION },
  };
  const parsed = ManifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const shown = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    throw new IntegrityError(`The manifest built for this export does not match the manifest schema (${shown}); nothing was written.`);
  }
  return parsed.data;
}

/** Pretty JSON with keys sorted at every level: the same manifest is always the same bytes. */
export function manifestText(m: Manifest): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(m)), null, 2)}\n`;
}
