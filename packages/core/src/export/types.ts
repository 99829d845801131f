/** The public shapes of `exportModel`. */
import type { RunContext } from '../action/github-context.js';
import type { ExchangeStore, OpenExchangeOptions } from '../exchange/types.js';
import type { Manifest } from '../manifest/schema.js';

/** Where artifact bytes are read from: the artifact store itself, or the ZenML server's download endpoints. */
export type ArtifactSource = 'store' | 'server';
export const ARTIFACT_SOURCES: readonly ArtifactSource[] = ['store', 'server'];

export interface ExportRequest {
  /** Project name or id. */
  project: string;
  /** Model name or id. */
  model: string;
  /** A number ("12"), a version name, or a stage: staging | production | archived | latest. */
  version: string;
  exchange: ExchangeStore;
  /** Artifact names to include; default (undefined or empty): every model and data artifact linked to the version. */
  artifacts?: string[];
  /** store: read the files at each artifact's uri (local path or gs://); server: download-token + /data tar.gz. */
  artifactSource: ArtifactSource;
  /** Resolve and print what would be exported; write nothing. */
  dryRun: boolean;
  /** This hop's actor, time, run URL, repository, commit. */
  run: RunContext;
  /** Passed to openExchange for gs:// artifact URIs (tests point it at an emulator). */
  storage?: OpenExchangeOptions['storage'];
  /** Progress and plan lines. */
  log: (line: string) => void;
}

export interface ExportResult {
  /** The bundle's manifest. With written:false, the one already there. In a dry run: the plan (see `dryRun`). */
  manifest: Manifest;
  /** `<exchange uri>/<model>/<digest>/manifest.json`; '' in a dry run unless the digest is known without reading bytes. */
  manifestUri: string;
  /** `sha256:<hex>`; '' in a dry run unless known without reading bytes (every file copied server-side). */
  bundleDigest: string;
  modelVersionId: string;
  artifactCount: number;
  /** Total size of the bundle's artifact files (in a dry run with artifact-source server: 0, unknown). */
  bytes: number;
  /** false: an identical complete bundle was already there, and nothing was rewritten. */
  written: boolean;
  /** Files newly placed in the bundle. */
  filesWritten: number;
  /** Files already in the bundle with identical content. */
  filesSkipped: number;
  /** Files copied gs:// → gs:// by the storage service (no bytes through the runner). */
  serverSideCopies: number;
  dryRun: boolean;
}
