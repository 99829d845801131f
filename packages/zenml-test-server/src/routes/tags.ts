/** Tags and tag links (API.md §8): server-wide; tag names are unique (409). */
import { asObject, enumValue, optBool, reqString, reqUuid } from '../body.js';
import { entityExists, invalid, keyError } from '../errors.js';
import type { FieldSpec } from '../filters.js';
import { formatMicros } from '../clock.js';
import { entity } from '../envelope.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { TaggableResourceType, TagLinkRec, TagRec } from '../store/records.js';
import { TAGGABLE_RESOURCE_TYPES } from '../store/records.js';
import type { Store } from '../store/store.js';
import { TAG_COLORS } from '../store/store.js';
import { tagView } from '../views/core.js';
import { uuidParam } from './params.js';

function fields(): Record<string, FieldSpec<TagRec>> {
  return {
    ...baseFields<TagRec>(),
    name: { kind: 'str', get: (t) => t.name },
    color: { kind: 'str', get: (t) => t.color },
    exclusive: { kind: 'bool', get: (t) => t.exclusive },
  };
}

function resourceExists(store: Store, type: TaggableResourceType, id: string): boolean {
  switch (type) {
    case 'artifact':
      return store.artifacts.has(id);
    case 'artifact_version':
      return store.artifactVersions.has(id);
    case 'model':
      return store.models.has(id);
    case 'model_version':
      return store.modelVersions.has(id);
    case 'pipeline':
      return store.pipelines.has(id);
    case 'pipeline_run':
      return store.runs.has(id);
    case 'pipeline_snapshot':
    case 'run_template':
      return store.snapshots.has(id);
    case 'deployment':
      return false;
  }
}

function tagResourceView(link: TagLinkRec) {
  return entity({
    id: link.id,
    body: {
      created: formatMicros(link.created),
      updated: formatMicros(link.created),
      tag_id: link.tagId,
      resource_id: link.resourceId,
      resource_type: link.resourceType,
    },
    metadata: null,
    resources: null,
  });
}

export const tagRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/tags',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const { page, paging } = runList(store.tags.values(), ctx.query, {
        fields: fields(),
        custom: {
          user: userFilter(store),
          resource_type: (values) => (t) =>
            values.every((v) => [...store.tagLinks.values()].some((l) => l.tagId === t.id && l.resourceType === v)),
        },
      });
      return json(mapPage(page, (t) => tagView(store, t, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/tags',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const name = reqString(b, 'name');
      const exclusive = optBool(b, 'exclusive') ?? false;
      const color = b['color'] === undefined || b['color'] === null ? undefined : enumValue(b['color'], TAG_COLORS, ['body', 'color']);
      if (store.tagByName(name)) throw entityExists(`Unable to create tag ${name}: A tag with this name already exists.`);
      const tag = store.ensureTag(name, ctx.userId);
      tag.exclusive = exclusive;
      if (color) tag.color = color;
      return json(tagView(store, tag, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/tags/{tag_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const t = store.mustGet(store.tags, uuidParam(ctx, 'tag_id'), 'tag');
      return json(tagView(store, t, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/tag_resources',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const req = parseTagResource(asObject(ctx.json()), ['body']);
      return json(tagResourceView(attach(store, req)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/tag_resources/batch',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const body = ctx.json();
      if (!Array.isArray(body)) throw invalid(['body'], 'Input should be a valid list', 'list_type', body);
      const reqs = body.map((item, i) => parseTagResource(asObject(item, ['body', i]), ['body', i]));
      return json(reqs.map((r) => tagResourceView(attach(store, r))));
    },
  },
  {
    // DELETE with a JSON body (API.md §8).
    method: 'DELETE',
    template: '/api/v1/tag_resources',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const req = parseTagResource(asObject(ctx.json()), ['body']);
      if (!store.detachTag(req.tagId, req.resourceType, req.resourceId)) {
        throw keyError(`Unable to delete tag resource: tag ${req.tagId} is not attached to ${req.resourceType} ${req.resourceId}.`);
      }
      return json(null);
    },
  },
];

interface TagResourceReq {
  tagId: string;
  resourceId: string;
  resourceType: TaggableResourceType;
}

function parseTagResource(b: Record<string, unknown>, loc: Array<string | number>): TagResourceReq {
  const tagId = reqUuid(b, 'tag_id', loc);
  const resourceId = reqUuid(b, 'resource_id', loc);
  if (b['resource_type'] === undefined) throw invalid([...loc, 'resource_type'], 'Field required', 'missing');
  const resourceType = enumValue(b['resource_type'], TAGGABLE_RESOURCE_TYPES, [...loc, 'resource_type']);
  return { tagId, resourceId, resourceType };
}

function attach(store: Store, req: TagResourceReq): TagLinkRec {
  const tag = store.mustGet(store.tags, req.tagId, 'tag');
  if (!resourceExists(store, req.resourceType, req.resourceId)) {
    throw keyError(`Unable to get ${req.resourceType} with name or ID '${req.resourceId}': No ${req.resourceType} with this ID found.`);
  }
  return store.attachTag(tag, req.resourceType, req.resourceId);
}
