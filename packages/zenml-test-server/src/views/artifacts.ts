/** Views of artifacts, artifact versions and model-version links (API.md §4). */
import { formatMicros } from '../clock.js';
import type { JsonObject } from '../envelope.js';
import { entity } from '../envelope.js';
import type {
  ArtifactRec,
  ArtifactVersionRec,
  ModelVersionArtifactLinkRec,
  ModelVersionRunLinkRec,
  SourceObj,
} from '../store/records.js';
import type { Store } from '../store/store.js';
import { tagList, userRef } from './core.js';
import { runView } from './pipelines.js';

export function artifactView(store: Store, artifact: ArtifactRec, hydrate: boolean): JsonObject {
  let latest: ArtifactVersionRec | null = null;
  for (const v of store.artifactVersions.values()) {
    if (v.artifactId === artifact.id && (latest === null || v.created > latest.created)) latest = v;
  }
  return entity({
    id: artifact.id,
    name: artifact.name,
    body: {
      created: formatMicros(artifact.created),
      updated: formatMicros(artifact.updated),
      user_id: artifact.userId,
      project_id: artifact.projectId,
    },
    metadata: hydrate ? { has_custom_name: artifact.hasCustomName } : null,
    resources: {
      user: userRef(store, artifact.userId),
      tags: tagList(store, 'artifact', artifact.id),
      latest_version_name: latest?.version ?? null,
      latest_version_id: latest?.id ?? null,
    },
  });
}

function sourceJson(s: SourceObj): JsonObject {
  return { module: s.module, attribute: s.attribute, type: s.type };
}

/** No top-level `name`: the name lives in `body.artifact.name` (API.md §4.3). */
export function artifactVersionView(store: Store, av: ArtifactVersionRec, hydrate: boolean): JsonObject {
  const artifact = store.artifacts.get(av.artifactId);
  return entity({
    id: av.id,
    body: {
      created: formatMicros(av.created),
      updated: formatMicros(av.updated),
      user_id: av.userId,
      project_id: av.projectId,
      artifact: artifact ? artifactView(store, artifact, false) : null,
      version: av.version,
      uri: av.uri,
      type: av.type,
      materializer: sourceJson(av.materializer),
      data_type: sourceJson(av.dataType),
      save_type: av.saveType,
      artifact_store_id: av.artifactStoreId,
      content_hash: av.contentHash,
      item_count: av.itemCount,
    },
    metadata: hydrate
      ? {
          visualizations: av.visualizations.map((v) => ({ type: v.type, uri: v.uri })),
          run_metadata: store.latestMetadata('artifact_version', av.id) as JsonObject,
        }
      : null,
    resources: {
      user: userRef(store, av.userId),
      tags: tagList(store, 'artifact_version', av.id),
      producer_step_run_id: av.producerStepRunId,
      producer_pipeline_run_id: av.producerPipelineRunId,
    },
  });
}

export function mvArtifactLinkView(store: Store, link: ModelVersionArtifactLinkRec, hydrate: boolean): JsonObject {
  const av = store.artifactVersions.get(link.artifactVersionId);
  return entity({
    id: link.id,
    body: {
      created: formatMicros(link.created),
      updated: formatMicros(link.updated),
      model_version: link.modelVersionId,
      artifact_version: av ? artifactVersionView(store, av, false) : null,
    },
    metadata: hydrate ? {} : null,
    resources: null,
  });
}

export function mvRunLinkView(store: Store, link: ModelVersionRunLinkRec, hydrate: boolean): JsonObject {
  const run = store.runs.get(link.pipelineRunId);
  return entity({
    id: link.id,
    body: {
      created: formatMicros(link.created),
      updated: formatMicros(link.updated),
      model_version: link.modelVersionId,
      pipeline_run: run ? runView(store, run, false) : null,
    },
    metadata: hydrate ? {} : null,
    resources: null,
  });
}
