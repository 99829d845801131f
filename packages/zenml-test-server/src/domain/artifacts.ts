/** Artifact-version registration and model-version links (API.md §4.2, §4.3). */
import { entityExists } from '../errors.js';
import type {
  ArtifactRec,
  ArtifactVersionRec,
  ModelVersionArtifactLinkRec,
  ModelVersionRunLinkRec,
  SourceObj,
  VisualizationRec,
} from '../store/records.js';
import type { Store } from '../store/store.js';
import { inferMetadataType } from '../store/store.js';

export const ARTIFACT_TYPES = [
  'DataAnalysisArtifact',
  'DataArtifact',
  'ModelArtifact',
  'SchemaArtifact',
  'ServiceArtifact',
  'StatisticsArtifact',
  'BaseArtifact',
] as const;
export const SAVE_TYPES = ['step_output', 'manual', 'preexisting', 'external'] as const;
export const SOURCE_TYPES = [
  'user',
  'builtin',
  'internal',
  'distribution_package',
  'code_repository',
  'notebook',
  'unknown',
] as const;
export const VISUALIZATION_TYPES = ['csv', 'html', 'image', 'markdown', 'json'] as const;

/** A dotted import path becomes a Source the way `Source.from_import_path` does it. */
export function sourceFromImportPath(path: string): SourceObj {
  const i = path.lastIndexOf('.');
  if (i < 0) return { module: path, attribute: null, type: 'unknown' };
  return { module: path.slice(0, i), attribute: path.slice(i + 1), type: 'unknown' };
}

/** The kind of a model-version link, from the artifact type (API.md §4.2). */
export function linkKind(type: string): 'model' | 'deployment' | 'data' {
  if (type === 'ModelArtifact') return 'model';
  if (type === 'ServiceArtifact') return 'deployment';
  return 'data';
}

export interface ArtifactVersionInput {
  projectId: string;
  /** Exactly one of artifactName / artifactId (checked by the route). */
  artifactName?: string | undefined;
  artifactId?: string | undefined;
  version?: string | undefined;
  hasCustomName?: boolean | undefined;
  type: string;
  uri: string;
  artifactStoreId?: string | undefined;
  materializer: SourceObj;
  dataType: SourceObj;
  saveType: string;
  contentHash?: string | undefined;
  tags?: string[] | undefined;
  visualizations?: VisualizationRec[] | undefined;
  metadata?: Record<string, unknown> | undefined;
  itemCount?: number | undefined;
}

function artifactByName(store: Store, projectId: string, name: string): ArtifactRec | undefined {
  for (const a of store.artifacts.values()) if (a.projectId === projectId && a.name === name) return a;
  return undefined;
}

export function createArtifactVersion(store: Store, input: ArtifactVersionInput, userId: string | null): ArtifactVersionRec {
  let artifact: ArtifactRec | undefined;
  if (input.artifactId !== undefined) {
    artifact = store.mustGet(store.artifacts, input.artifactId, 'artifact');
  } else {
    const name = input.artifactName ?? '';
    artifact = artifactByName(store, input.projectId, name);
    if (!artifact) {
      // "creates the artifact if needed" (API.md §4.3)
      artifact = { ...store.base(userId), projectId: input.projectId, name, hasCustomName: input.hasCustomName ?? false };
      store.artifacts.set(artifact.id, artifact);
    }
  }
  if (input.hasCustomName && !artifact.hasCustomName) {
    artifact.hasCustomName = true;
    store.touch(artifact);
  }
  if (input.artifactStoreId !== undefined) store.mustGet(store.components, input.artifactStoreId, 'stack_component');

  const siblings = [...store.artifactVersions.values()].filter((v) => v.artifactId === artifact.id);
  let version = input.version;
  if (version === undefined) {
    // The next integer version of this artifact.
    const max = siblings.reduce((m, v) => (/^\d+$/.test(v.version) ? Math.max(m, Number(v.version)) : m), 0);
    version = String(max + 1);
  } else if (siblings.some((v) => v.version === version)) {
    throw entityExists(
      `Unable to create artifact version ${artifact.name} (version ${version}): An artifact version with the same name and version already exists.`,
    );
  }

  const av: ArtifactVersionRec = {
    ...store.base(userId),
    projectId: input.projectId,
    artifactId: artifact.id,
    version,
    uri: input.uri,
    type: input.type,
    materializer: input.materializer,
    dataType: input.dataType,
    saveType: input.saveType,
    artifactStoreId: input.artifactStoreId ?? null,
    contentHash: input.contentHash ?? null,
    itemCount: input.itemCount ?? null,
    visualizations: input.visualizations ?? [],
    producerStepRunId: null,
    producerPipelineRunId: null,
  };
  store.artifactVersions.set(av.id, av);
  store.applyTagNames('artifact_version', av.id, input.tags, undefined, userId);
  // The `metadata` field is stored as run metadata of the new version.
  for (const [key, value] of Object.entries(input.metadata ?? {})) {
    store.appendMetadata({
      projectId: input.projectId,
      userId,
      resourceId: av.id,
      resourceType: 'artifact_version',
      key,
      value,
      type: inferMetadataType(value),
      stackComponentId: null,
      publisherStepId: null,
    });
  }
  return av;
}

/** Idempotent: an existing pair returns the existing link (API.md §4.2). */
export function linkArtifactVersion(
  store: Store,
  modelVersionId: string,
  artifactVersionId: string,
  userId: string | null,
): ModelVersionArtifactLinkRec {
  const mv = store.mustGet(store.modelVersions, modelVersionId, 'model_version');
  const av = store.mustGet(store.artifactVersions, artifactVersionId, 'artifact_version');
  for (const link of store.mvArtifactLinks.values()) {
    if (link.modelVersionId === mv.id && link.artifactVersionId === av.id) return link;
  }
  const link: ModelVersionArtifactLinkRec = { ...store.base(userId), modelVersionId: mv.id, artifactVersionId: av.id };
  store.mvArtifactLinks.set(link.id, link);
  return link;
}

/** Idempotent like the artifact link. */
export function linkPipelineRun(
  store: Store,
  modelVersionId: string,
  pipelineRunId: string,
  userId: string | null,
): ModelVersionRunLinkRec {
  const mv = store.mustGet(store.modelVersions, modelVersionId, 'model_version');
  const run = store.mustGet(store.runs, pipelineRunId, 'pipeline_run');
  for (const link of store.mvRunLinks.values()) {
    if (link.modelVersionId === mv.id && link.pipelineRunId === run.id) return link;
  }
  const link: ModelVersionRunLinkRec = { ...store.base(userId), modelVersionId: mv.id, pipelineRunId: run.id };
  store.mvRunLinks.set(link.id, link);
  return link;
}
