/**
 * `POST /api/v1/run-metadata` (hyphen; API.md §5): a `types` entry per
 * `values` key (422 otherwise), every target resource must exist (404), the
 * response is `null`. Values are appended; reads show the latest per key.
 */
import { asObject, enumValue, optUuid } from '../body.js';
import { invalid, keyError, validationError } from '../errors.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { MetadataResourceType } from '../store/records.js';
import { METADATA_RESOURCE_TYPES } from '../store/records.js';
import type { Store } from '../store/store.js';
import { isUuid, normalizeUuid } from '../store/store.js';
import { createProjectScope } from './scope.js';

const METADATA_TYPES = ['str', 'int', 'float', 'bool', 'list', 'dict', 'tuple', 'set', 'Uri', 'Path', 'DType', 'StorageSize'] as const;

/** Looks a metadata target up; schedules and wait conditions don't exist on the test server. */
function targetExists(store: Store, type: MetadataResourceType, id: string): boolean {
  switch (type) {
    case 'pipeline_run':
      return store.runs.has(id);
    case 'step_run':
      return store.steps.has(id);
    case 'artifact_version':
      return store.artifactVersions.has(id);
    case 'model_version':
      return store.modelVersions.has(id);
    case 'schedule':
    case 'wait_condition':
      return false;
  }
}

export const runMetadataRoutes: Route[] = [
  {
    method: 'POST',
    template: '/api/v1/run-metadata',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());

      const rawResources = b['resources'];
      if (rawResources === undefined) throw invalid(['body', 'resources'], 'Field required', 'missing');
      if (!Array.isArray(rawResources)) throw invalid(['body', 'resources'], 'Input should be a valid list', 'list_type', rawResources);
      const resources = rawResources.map((raw, i) => {
        const o = asObject(raw, ['body', 'resources', i]);
        const id = o['id'];
        if (id === undefined) throw invalid(['body', 'resources', i, 'id'], 'Field required', 'missing');
        if (typeof id !== 'string' || !isUuid(id)) throw invalid(['body', 'resources', i, 'id'], 'Input should be a valid UUID', 'uuid_parsing', id);
        if (o['type'] === undefined) throw invalid(['body', 'resources', i, 'type'], 'Field required', 'missing');
        const type = enumValue(o['type'], METADATA_RESOURCE_TYPES, ['body', 'resources', i, 'type']);
        return { id: normalizeUuid(id), type };
      });

      const values = b['values'] === undefined ? undefined : asObject(b['values'], ['body', 'values']);
      if (!values) throw invalid(['body', 'values'], 'Field required', 'missing');
      const types = b['types'] === undefined ? undefined : asObject(b['types'], ['body', 'types']);
      if (!types) throw invalid(['body', 'types'], 'Field required', 'missing');
      for (const [key, t] of Object.entries(types)) enumValue(t, METADATA_TYPES, ['body', 'types', key]);
      // RunMetadataRequest's validator: every value needs its type.
      const missing = Object.keys(values).filter((k) => !(k in types));
      if (missing.length) {
        throw validationError([
          {
            loc: ['body'],
            msg: `Value error, Missing type for the metadata keys: ${missing.map((k) => `'${k}'`).join(', ')}.`,
            type: 'value_error',
          },
        ]);
      }
      const stackComponentId = optUuid(b, 'stack_component_id') ?? null;
      const publisherStepId = optUuid(b, 'publisher_step_id') ?? null;
      const project = createProjectScope(ctx, b);

      for (const r of resources) {
        if (!targetExists(store, r.type, r.id)) {
          throw keyError(`Unable to get ${r.type} with name or ID '${r.id}': No ${r.type} with this ID found.`);
        }
      }
      for (const r of resources) {
        for (const [key, value] of Object.entries(values)) {
          store.appendMetadata({
            projectId: project.id,
            userId: ctx.userId, // the server overwrites `user` with the caller
            resourceId: r.id,
            resourceType: r.type,
            key,
            value,
            type: String(types[key]),
            stackComponentId,
            publisherStepId,
          });
        }
      }
      return json(null);
    },
  },
];
