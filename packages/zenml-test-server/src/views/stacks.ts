/** Views of stack components and stacks (API.md §4.4, §7). Not project-scoped: no project_id. */
import { formatMicros } from '../clock.js';
import type { JsonObject } from '../envelope.js';
import { entity } from '../envelope.js';
import type { ComponentRec, StackRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { userRef } from './core.js';

export function componentView(store: Store, c: ComponentRec, hydrate: boolean): JsonObject {
  return entity({
    id: c.id,
    name: c.name,
    body: {
      created: formatMicros(c.created),
      updated: formatMicros(c.updated),
      user_id: c.userId,
      type: c.type,
      flavor_name: c.flavor,
      integration: c.integration,
      logo_url: null,
    },
    metadata: hydrate
      ? {
          configuration: c.configuration as JsonObject,
          labels: c.labels,
          connector_resource_id: null,
          connector: null,
        }
      : null,
    resources: { user: userRef(store, c.userId) },
  });
}

export function stackView(store: Store, s: StackRec, hydrate: boolean): JsonObject {
  let components: JsonObject | null = null;
  if (hydrate) {
    components = {};
    // The nested components are not hydrated (API.md §4.4): fetch one by id for its configuration.
    for (const type of Object.keys(s.components)) {
      components[type] = store.componentsOfStack(s, type).map((c) => componentView(store, c, false));
    }
  }
  return entity({
    id: s.id,
    name: s.name,
    body: {
      created: formatMicros(s.created),
      updated: formatMicros(s.updated),
      user_id: s.userId,
    },
    metadata: hydrate
      ? {
          components: components ?? {},
          description: s.description,
          environment: {},
          secrets: [],
          labels: null,
        }
      : null,
    resources: { user: userRef(store, s.userId) },
  });
}
