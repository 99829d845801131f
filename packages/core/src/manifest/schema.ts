import { z } from 'zod';

/**
 * The promotion bundle's manifest, `manifest.json`, written last: a bundle is complete exactly when
 * its manifest exists. Version 1. Readers refuse any other `schemaVersion`, so that a newer writer
 * can never be half-understood by an older reader. Published as JSON Schema in
 * packages/core/schema/manifest.v1.json (generated from this file; a test keeps them equal).
 */
export const MANIFEST_SCHEMA_VERSION = 1;
export const MANIFEST_KIND = 'mlops-actions/model-bundle';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex');
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex>');
const uuid = z.string().regex(/^[0-9a-fA-F-]{36}$/, 'a UUID');
const isoTime = z.string().min(1).max(64);

/** A relative POSIX path inside the bundle; the import side re-checks it before any write. */
const bundlePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '.' || s === ''), {
    message: 'a relative path with no "..", ".", empty segment, leading "/" or backslash',
  });

/** ZenML `Source`: an import path string, or the object form (`{module, attribute, type}`). */
const source = z.union([z.string().min(1), z.looseObject({ module: z.string(), attribute: z.string().nullish(), type: z.string() })]);

export const ManifestFileSchema = z.strictObject({
  /** Relative to the artifact's folder in the bundle. */
  path: bundlePath,
  size: z.number().int().nonnegative(),
  /** Present whenever the bytes passed through the runner (computed while streaming). */
  sha256: hex64.optional(),
  /** gs://→gs:// server-side copies: the store's own checksums, checked equal on both sides. */
  md5: z.string().optional(),
  crc32c: z.string().optional(),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

export const ManifestArtifactSchema = z.strictObject({
  name: z.string().min(1).max(255),
  /** Folder of this artifact inside the bundle: `artifacts/<name>`. */
  bundleDir: bundlePath,
  artifactVersionId: uuid,
  version: z.string(),
  type: z.string(),
  materializer: source,
  dataType: source,
  uri: z.string(),
  artifactStoreId: uuid.optional(),
  contentHash: z.string().optional(),
  saveType: z.string().optional(),
  /** True when the artifact's uri is a single file rather than a folder. */
  singleFile: z.boolean(),
  runMetadata: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  files: z.array(ManifestFileSchema),
});
export type ManifestArtifact = z.infer<typeof ManifestArtifactSchema>;

export const PromotionHopSchema = z.strictObject({
  from: z.strictObject({ serverUrl: z.string(), project: z.string(), model: z.string(), version: z.string(), modelVersionId: z.string() }),
  /** Filled in by the import that completes the hop. */
  to: z.strictObject({ serverUrl: z.string(), project: z.string(), model: z.string(), version: z.string(), modelVersionId: z.string() }).optional(),
  bundleDigest: digest.optional(),
  actor: z.string().optional(),
  at: isoTime,
  workflowRunUrl: z.string().optional(),
  repository: z.string().optional(),
  commit: z.string().optional(),
});
export type PromotionHop = z.infer<typeof PromotionHopSchema>;

export const ManifestSchema = z.strictObject({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  kind: z.literal(MANIFEST_KIND),
  /** Hash of the content (model version id, artifact file digests, metadata); never of timestamps. */
  bundleDigest: digest,
  model: z.strictObject({
    name: z.string().min(1),
    versionName: z.string(),
    versionNumber: z.number().int(),
    stage: z.string().nullable(),
    description: z.string().nullable(),
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
    pipelineRunId: uuid.optional(),
    pipelineRunName: z.string().optional(),
    pipelineRunUrl: z.string().optional(),
    gitCommit: z.string().optional(),
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
});
export type Manifest = z.infer<typeof ManifestSchema>;
