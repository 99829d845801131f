/** The public shapes of `importModel`. */
import type { RunContext } from '../action/github-context.js';
import type { Manifest, PromotionHop } from '../manifest/index.js';

export interface ImportRequest {
  /** Destination project, name or id. */
  project: string;
  /** `<exchange>/<model>/<digest>/manifest.json` (file://, bare absolute path, or gs://); the bundle root is its folder. */
  manifestUri: string;
  /** Destination model name; default the manifest's. */
  model?: string | undefined;
  /** e.g. `production`; default none. */
  stage?: string | undefined;
  /** Archive the current holder of that stage (the server's force rules). */
  force: boolean;
  /** Destination artifact_store component (name or id); default: the store of `stackId`, else of the `default` stack. */
  artifactStore?: string | undefined;
  /** The stack zenml-login resolved (ZENML_ACTIVE_STACK_ID). */
  stackId?: string | undefined;
  /** Verify and log the plan; register and copy nothing. */
  dryRun: boolean;
  run: RunContext;
  /** An @google-cloud/storage `Storage` for gs:// (tests); default: one with ADC. */
  storage?: unknown;
  log: (line: string) => void;
}

/** A step this run had to do (absent from `completed` when it found the work already done). */
export type ImportStep = 'copy' | 'register' | 'model' | 'version' | 'link' | 'metadata' | 'tags' | 'stage';

export interface ImportedArtifact {
  name: string;
  uri: string;
  /** '' in a dry run when it is not registered yet. */
  artifactVersionId: string;
  bytes: number;
}

export interface ImportResult {
  /** '' in a dry run when no version was made from this bundle yet. */
  modelVersionId: string;
  /** 0 in a dry run when no version was made from this bundle yet. */
  modelVersionNumber: number;
  modelVersionName: string;
  model: string;
  /** Destination project name. */
  project: string;
  stage: string | null;
  /** false: the version made from this bundle already existed (found by bundle_digest), or a dry run. */
  created: boolean;
  /** What this run had to do, in order. */
  completed: ImportStep[];
  bundleDigest: string;
  artifacts: ImportedArtifact[];
  /** The manifest's chain with this hop's `to` filled in (as written to `promotion_chain`). */
  promotionChain: PromotionHop[];
  /** The verified manifest (for the job summary). */
  manifest: Manifest;
  source: Manifest['source'];
  dryRun: boolean;
}
