import { z } from '../zod.js';

/**
 * The promotion bundle's manifest, `manifest.json`, written last: a bundle is complete exactly when
 * its manifest exists. Version 1. Readers refuse any other `schemaVersion`, so that a newer writer
 * can never be half-understood by an older reader. Published as JSON Schema in
 * packages/core/schema/manifest.v1.json (generated from this file; a test keeps them equal).
 */
export const MANIFEST_SCHEMA_VERSION = 1;
export const MANIFEST_KIND = 'mlops-actions/model-bundle';

// Most actions load this file and never parse a manifest: the schemas are built on first use
// (z.lazy) rather than when the module loads. `digest` and `isoTime` are not, as PromotionHopSchema
// (built up front, see below) needs them.
const hex64 = z.lazy(() => z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex')));
const digest = z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex>'));
const uuid = z.lazy(() => z.string().check(z.regex(/^[0-9a-fA-F-]{36}$/, 'a UUID')));
const isoTime = z.string().check(z.minLength(1), z.maxLength(64));

/** A relative POSIX path inside the bundle; the import side re-checks it before any write. */
const bundlePath = z.lazy(() =>
  z.string().check(
    z.minLength(1),
    z.maxLength(1024),
    z.refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '.' || s === ''), {
      message: 'a relative path with no "..", ".", empty segment, leading "/" or backslash',
    }),
  ),
);

/** ZenML `Source`: an import path string, or the object form (`{module, attribute, type}`). */
const source = z.lazy(() =>
  z.union([z.string().check(z.minLength(1)), z.looseObject({ module: z.string(), attribute: z.nullish(z.string()), type: z.string() })]),
);

export const ManifestFileSchema = z.lazy(() =>
  z.strictObject({
    /** Relative to the artifact's folder in the bundle. */
    path: bundlePath,
    size: z.number().check(z.int(), z.nonnegative()),
    /** Present whenever the bytes passed through the runner (computed while streaming). */
    sha256: z.optional(hex64),
    /** gs://→gs:// server-side copies: the store's own checksums, checked equal on both sides. */
    md5: z.optional(z.string()),
    crc32c: z.optional(z.string()),
  }),
);
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

export const ManifestArtifactSchema = z.lazy(() =>
  z.strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(255)),
    /** Folder of this artifact inside the bundle: `artifacts/<name>`. */
    bundleDir: bundlePath,
    artifactVersionId: uuid,
    version: z.string(),
    type: z.string(),
    materializer: source,
    dataType: source,
    uri: z.string(),
    artifactStoreId: z.optional(uuid),
    contentHash: z.optional(z.string()),
    saveType: z.optional(z.string()),
    /** True when the artifact's uri is a single file rather than a folder. */
    singleFile: z.boolean(),
    runMetadata: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    files: z.array(ManifestFileSchema),
  }),
);
export type ManifestArtifact = z.infer<typeof ManifestArtifactSchema>;

// Not lazy: export/promotion-chain.ts reads its `.shape` when it loads, so a lazy one would be built
// then anyway (and z.lazy has no `.shape`).
export const PromotionHopSchema = z.strictObject({
  from: z.strictObject({ serverUrl: z.string(), project: z.string(), model: z.string(), version: z.string(), modelVersionId: z.string() }),
  /** Filled in by the import that completes the hop. */
  to: z.optional(z.strictObject({ serverUrl: z.string(), project: z.string(), model: z.string(), version: z.string(), modelVersionId: z.string() })),
  bundleDigest: z.optional(digest),
  actor: z.optional(z.string()),
  at: isoTime,
  workflowRunUrl: z.optional(z.string()),
  repository: z.optional(z.string()),
  commit: z.optional(z.string()),
});
export type PromotionHop = z.infer<typeof PromotionHopSchema>;

export const ManifestSchema = z.lazy(() =>
  z.strictObject({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    kind: z.literal(MANIFEST_KIND),
    /** Hash of the content (model version id, artifact file digests, metadata); never of timestamps. */
    bundleDigest: digest,
    model: z.strictObject({
      name: z.string().check(z.minLength(1)),
      versionName: z.string(),
      versionNumber: z.number().check(z.int()),
      stage: z.nullable(z.string()),
      description: z.nullable(z.string()),
      tags: z.array(z.string()),
    }),
    source: z.strictObject({
      serverUrl: z.string(),
      serverId: z.string(),
      serverVersion: z.string(),
      project: z.string(),
      projectId: uuid,
      modelId: uuid,
      modelVersionId: uuid,
      pipelineRunId: z.optional(uuid),
      pipelineRunName: z.optional(z.string()),
      pipelineRunUrl: z.optional(z.string()),
      gitCommit: z.optional(z.string()),
      /** When the model version was created (the training date). */
      trainingDate: isoTime,
    }),
    /** Numeric run metadata of the model version, by name. */
    metrics: z.record(z.string(), z.number()),
    /** Every other run metadata value of the model version, as the server returned it. */
    metadata: z.record(z.string(), z.unknown()),
    artifacts: z.array(ManifestArtifactSchema),
    /** Earlier hops carried over from the source's metadata, then this one. */
    promotionChain: z.array(PromotionHopSchema),
    exportedAt: isoTime,
    exportedBy: z.strictObject({ tool: z.literal('mlops-actions'), version: z.string() }),
  }),
);
export type Manifest = z.infer<typeof ManifestSchema>;
