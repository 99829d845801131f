/**
 * Artifacts and artifact versions (API.md §4.1, §4.3, §4.5): registration of
 * existing URIs, the batch create, and the two-step download (token, then a
 * tar.gz of the files under a local `uri`).
 */
import { existsSync } from 'node:fs';
import type { Obj } from '../body.js';
import { asObject, enumValue, optBool, optInt, optObject, optString, optStringArray, optUuid, reqEnum, reqString } from '../body.js';
import { entityExists, invalid, validationError, valueError } from '../errors.js';
import type { FieldSpec } from '../filters.js';
import { fieldPredicate, metadataPredicate } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Predicate } from '../list.js';
import type { Route, RouteContext } from '../router.js';
import { parseBool } from '../query.js';
import { json } from '../router.js';
import type { ArtifactRec, ArtifactVersionRec, SourceObj, VisualizationRec } from '../store/records.js';
import { isUuid, normalizeUuid } from '../store/store.js';
import type { ArtifactVersionInput } from '../domain/artifacts.js';
import {
  ARTIFACT_TYPES,
  createArtifactVersion,
  SAVE_TYPES,
  SOURCE_TYPES,
  sourceFromImportPath,
  VISUALIZATION_TYPES,
} from '../domain/artifacts.js';
import { entriesFromPath, tarGz } from '../tar.js';
import { artifactVersionView, artifactView } from '../views/artifacts.js';
import { uuidParam } from './params.js';
import { createProjectScope, listProject } from './scope.js';
import { tagsFilter } from './tag-filter.js';

// ------------------------------------------------------------------ artifacts

const artifactFields: Record<string, FieldSpec<ArtifactRec>> = {
  ...baseFields<ArtifactRec>(),
  name: { kind: 'str', get: (a) => a.name },
  has_custom_name: { kind: 'bool', get: (a) => a.hasCustomName },
};

// ---------------------------------------------------------- artifact versions

function avFields(ctx: RouteContext): Record<string, FieldSpec<ArtifactVersionRec>> {
  const { store } = ctx.app;
  const artifactName = (v: ArtifactVersionRec) => store.artifacts.get(v.artifactId)?.name ?? null;
  return {
    ...baseFields<ArtifactVersionRec>(),
    artifact_id: { kind: 'uuid', get: (v) => v.artifactId },
    name: { kind: 'str', get: artifactName },
    version: { kind: 'str', get: (v) => v.version },
    version_number: { kind: 'int', get: (v) => (/^\d+$/.test(v.version) ? Number(v.version) : null) },
    uri: { kind: 'str', get: (v) => v.uri },
    materializer: { kind: 'str', get: (v) => `${v.materializer.module}.${v.materializer.attribute ?? ''}`.replace(/\.$/, '') },
    type: { kind: 'str', get: (v) => v.type },
    data_type: { kind: 'str', get: (v) => `${v.dataType.module}.${v.dataType.attribute ?? ''}`.replace(/\.$/, '') },
    artifact_store_id: { kind: 'uuid', get: (v) => v.artifactStoreId },
    has_custom_name: { kind: 'bool', get: (v) => store.artifacts.get(v.artifactId)?.hasCustomName ?? false },
  };
}

function linkedToModelVersion(ctx: RouteContext, mvId: string, avId: string): boolean {
  for (const l of ctx.app.store.mvArtifactLinks.values()) if (l.modelVersionId === mvId && l.artifactVersionId === avId) return true;
  return false;
}

function avCustom(ctx: RouteContext, projectId: string): Record<string, (values: string[]) => Predicate<ArtifactVersionRec>> {
  const { store } = ctx.app;
  return {
    user: userFilter(store),
    tags: tagsFilter(store, 'artifact_version'),
    run_metadata: (values) => {
      const preds = values.map((raw) => metadataPredicate(raw, (id) => store.latestMetadata('artifact_version', id)));
      return (v) => preds.every((p) => p(v.id));
    },
    // Artifact name or id.
    artifact: (values) => {
      const preds = values.map((raw) => {
        const byName = fieldPredicate<ArtifactVersionRec>('artifact', { kind: 'str', get: (v) => store.artifacts.get(v.artifactId)?.name ?? null }, raw);
        return (v: ArtifactVersionRec) => byName(v) || (isUuid(raw) && v.artifactId === normalizeUuid(raw));
      });
      return (v) => preds.every((p) => p(v));
    },
    // Only versions linked to that model version (API.md §4.2).
    model_version_id: (values) => {
      const ids = values.map((raw) => {
        if (!isUuid(raw)) throw invalid(['query', 'model_version_id'], 'Input should be a valid UUID', 'uuid_parsing', raw);
        return normalizeUuid(raw);
      });
      return (v) => ids.every((mvId) => linkedToModelVersion(ctx, mvId, v.id));
    },
    // Linked to any version of that model (name or id).
    model: (values) => {
      const modelIds = values.map((raw) => store.modelByNameOrId(projectId, raw)?.id ?? null);
      return (v) =>
        modelIds.every((modelId) => {
          if (!modelId) return false;
          for (const l of store.mvArtifactLinks.values()) {
            if (l.artifactVersionId === v.id && store.modelVersions.get(l.modelVersionId)?.modelId === modelId) return true;
          }
          return false;
        });
    },
    // The producing run (name or id); registered versions have none.
    pipeline_run: (values) => (v) =>
      values.every((raw) => {
        const run = v.producerPipelineRunId ? store.runs.get(v.producerPipelineRunId) : undefined;
        return run !== undefined && (run.name === raw || (isUuid(raw) && run.id === normalizeUuid(raw)));
      }),
    only_unused: (values) => {
      const only = values.some((raw) => parseBool(raw) === true);
      return (v) => {
        if (!only) return true;
        for (const l of store.mvArtifactLinks.values()) if (l.artifactVersionId === v.id) return false;
        return v.producerPipelineRunId === null;
      };
    },
  };
}

function sourceField(b: Obj, key: string, loc: Array<string | number>): SourceObj {
  const v = b[key];
  if (v === undefined || v === null) throw invalid([...loc, key], 'Field required', 'missing');
  if (typeof v === 'string') return sourceFromImportPath(v);
  const o = asObject(v, [...loc, key]);
  const module = reqString(o, 'module', [...loc, key]);
  const attribute = optString(o, 'attribute', [...loc, key]) ?? null;
  const type = o['type'] === undefined ? 'unknown' : enumValue(o['type'], SOURCE_TYPES, [...loc, key, 'type']);
  return { module, attribute, type };
}

/** Validates one ArtifactVersionRequest (422s) without touching the store. */
function parseAvRequest(b: Obj, loc: Array<string | number>): Omit<ArtifactVersionInput, 'projectId'> & { project: string } {
  const projectRaw = b['project'];
  if (projectRaw === undefined || projectRaw === null) throw invalid([...loc, 'project'], 'Field required', 'missing');
  if (typeof projectRaw !== 'string' || !isUuid(projectRaw)) throw invalid([...loc, 'project'], 'Input should be a valid UUID', 'uuid_parsing', projectRaw);
  const artifactName = optString(b, 'artifact_name', loc);
  const artifactId = optUuid(b, 'artifact_id', loc);
  if ((artifactName === undefined) === (artifactId === undefined)) {
    // The model validator of ArtifactVersionRequest.
    throw invalid(loc, 'Value error, Exactly one of `artifact_name` and `artifact_id` must be set.', 'value_error');
  }
  let version: string | undefined;
  const rawVersion = b['version'];
  if (rawVersion !== undefined && rawVersion !== null) {
    if (typeof rawVersion === 'number' && Number.isInteger(rawVersion)) version = String(rawVersion);
    else if (typeof rawVersion === 'string') version = rawVersion;
    else throw invalid([...loc, 'version'], 'Input should be a valid integer or string', 'union_type', rawVersion);
    if (version.length >= 255) throw invalid([...loc, 'version'], 'Value error, Version must be shorter than 255 characters.', 'value_error', version);
  }
  const type = reqEnum(b, 'type', ARTIFACT_TYPES, loc);
  const uri = reqString(b, 'uri', loc);
  const materializer = sourceField(b, 'materializer', loc);
  const dataType = sourceField(b, 'data_type', loc);
  const saveType = reqEnum(b, 'save_type', SAVE_TYPES, loc);
  let visualizations: VisualizationRec[] | undefined;
  if (Array.isArray(b['visualizations'])) {
    visualizations = b['visualizations'].map((raw, i) => {
      const o = asObject(raw, [...loc, 'visualizations', i]);
      return {
        type: enumValue(o['type'], VISUALIZATION_TYPES, [...loc, 'visualizations', i, 'type']),
        uri: reqString(o, 'uri', [...loc, 'visualizations', i]),
      };
    });
  } else if (b['visualizations'] !== undefined && b['visualizations'] !== null) {
    throw invalid([...loc, 'visualizations'], 'Input should be a valid list', 'list_type', b['visualizations']);
  }
  return {
    project: normalizeUuid(projectRaw),
    artifactName,
    artifactId,
    version,
    hasCustomName: optBool(b, 'has_custom_name', loc),
    type,
    uri,
    artifactStoreId: optUuid(b, 'artifact_store_id', loc),
    materializer,
    dataType,
    saveType,
    contentHash: optString(b, 'content_hash', loc),
    tags: optStringArray(b, 'tags', loc),
    visualizations,
    metadata: optObject(b, 'metadata', loc),
    itemCount: optInt(b, 'item_count', loc),
  };
}

function createFromRequest(ctx: RouteContext, parsed: ReturnType<typeof parseAvRequest>): ArtifactVersionRec {
  const { store } = ctx.app;
  const override = ctx.query.get('project_name_or_id');
  const project = store.mustProject(override ?? parsed.project);
  const { project: _p, ...rest } = parsed;
  void _p;
  return createArtifactVersion(store, { ...rest, projectId: project.id }, ctx.userId);
}

export const artifactRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/artifacts',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const { page, paging } = runList(
        store.artifacts.values(),
        ctx.query,
        { fields: artifactFields, custom: { user: userFilter(store), tags: tagsFilter(store, 'artifact') } },
        [(a) => a.projectId === project.id],
      );
      return json(mapPage(page, (a) => artifactView(store, a, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/artifacts',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const name = reqString(b, 'name');
      const hasCustomName = optBool(b, 'has_custom_name');
      const tags = optStringArray(b, 'tags');
      const project = createProjectScope(ctx, b);
      for (const a of store.artifacts.values()) {
        if (a.projectId === project.id && a.name === name) {
          throw entityExists(`Unable to create artifact ${name}: An artifact with this name already exists.`);
        }
      }
      const rec: ArtifactRec = { ...store.base(ctx.userId), projectId: project.id, name, hasCustomName: hasCustomName ?? false };
      store.artifacts.set(rec.id, rec);
      store.applyTagNames('artifact', rec.id, tags, undefined, ctx.userId);
      return json(artifactView(store, rec, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/artifacts/{artifact_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const a = store.mustGet(store.artifacts, uuidParam(ctx, 'artifact_id'), 'artifact');
      return json(artifactView(store, a, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/artifact_versions',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const { page, paging } = runList(
        store.artifactVersions.values(),
        ctx.query,
        { fields: avFields(ctx), custom: avCustom(ctx, project.id) },
        [(v) => v.projectId === project.id],
      );
      return json(mapPage(page, (v) => artifactVersionView(store, v, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/artifact_versions',
    auth: true,
    handler: (ctx) => {
      const parsed = parseAvRequest(asObject(ctx.json()), ['body']);
      return json(artifactVersionView(ctx.app.store, createFromRequest(ctx, parsed), true));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/artifact_versions/batch',
    auth: true,
    handler: (ctx) => {
      const body = ctx.json();
      if (!Array.isArray(body)) {
        throw validationError([{ loc: ['body'], msg: 'Input should be a valid list', type: 'list_type', input: body }]);
      }
      // Validate every request before creating any.
      const parsed = body.map((item, i) => parseAvRequest(asObject(item, ['body', i]), ['body', i]));
      const created = parsed.map((p) => createFromRequest(ctx, p));
      return json(created.map((v) => artifactVersionView(ctx.app.store, v, true)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/artifact_versions/{artifact_version_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const v = store.mustGet(store.artifactVersions, uuidParam(ctx, 'artifact_version_id'), 'artifact_version');
      return json(artifactVersionView(store, v, ctx.query.bool('hydrate', true)));
    },
  },
  {
    // ZenML deletes the version's record (links, tags, run metadata), never the files at its uri.
    method: 'DELETE',
    template: '/api/v1/artifact_versions/{artifact_version_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const v = store.mustGet(store.artifactVersions, uuidParam(ctx, 'artifact_version_id'), 'artifact_version');
      store.deleteResource('artifact_version', v.id);
      return json(null);
    },
  },
  {
    method: 'PUT',
    template: '/api/v1/artifact_versions/{artifact_version_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const id = uuidParam(ctx, 'artifact_version_id');
      const b = asObject(ctx.json());
      const addTags = optStringArray(b, 'add_tags');
      const removeTags = optStringArray(b, 'remove_tags');
      const v = store.mustGet(store.artifactVersions, id, 'artifact_version');
      store.applyTagNames('artifact_version', v.id, addTags, removeTags, ctx.userId);
      store.touch(v);
      return json(artifactVersionView(store, v, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/artifact_versions/{artifact_version_id}/download-token',
    auth: true,
    handler: (ctx) => {
      const { store, auth } = ctx.app;
      const v = store.mustGet(store.artifactVersions, uuidParam(ctx, 'artifact_version_id'), 'artifact_version');
      if (!v.artifactStoreId || !store.components.get(v.artifactStoreId)) {
        throw valueError(`Artifact version ${v.id} is not associated with an artifact store, so its data can't be downloaded.`);
      }
      // A JSON string holding the token.
      return json(auth.issueDownloadToken(v.id));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/artifact_versions/{artifact_version_id}/data',
    auth: false,
    handler: (ctx) => {
      const { store, auth } = ctx.app;
      const id = uuidParam(ctx, 'artifact_version_id');
      const token = ctx.query.requiredString('token');
      auth.verifyDownloadToken(token, id);
      const v = store.mustGet(store.artifactVersions, id, 'artifact_version');
      if (!existsSync(v.uri)) {
        throw valueError(`Unable to read the data of artifact version ${v.id}: the URI ${v.uri} is not reachable from the server.`);
      }
      const name = store.artifacts.get(v.artifactId)?.name ?? 'artifact';
      return {
        kind: 'raw',
        status: 200,
        body: tarGz(entriesFromPath(v.uri)),
        contentType: 'application/gzip',
        headers: { 'content-disposition': `attachment; filename="${name}-${v.version}.tar.gz"` },
      };
    },
  },
];
