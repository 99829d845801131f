/** Views of users, projects and tags (UserResponse, ProjectResponse, TagResponse). */
import { formatMicros } from '../clock.js';
import type { JsonObject } from '../envelope.js';
import { entity } from '../envelope.js';
import type { ProjectRec, TaggableResourceType, TagRec, UserRec } from '../store/records.js';
import type { Store } from '../store/store.js';

export function userView(store: Store, user: UserRec, hydrate: boolean): JsonObject {
  void store;
  return entity({
    id: user.id,
    name: user.name,
    body: {
      created: formatMicros(user.created),
      updated: formatMicros(user.updated),
      active: user.active,
      activation_token: null,
      full_name: user.fullName,
      email_opted_in: user.isServiceAccount ? false : null,
      is_service_account: user.isServiceAccount,
      is_admin: user.isAdmin,
      default_project_id: user.defaultProjectId,
      avatar_url: null,
    },
    metadata: hydrate ? { email: user.email, external_user_id: null, user_metadata: {} } : null,
    resources: null,
  });
}

/** The nested `resources.user` of other entities (never hydrated). */
export function userRef(store: Store, userId: string | null): JsonObject | null {
  const user = userId ? store.users.get(userId) : undefined;
  return user ? userView(store, user, false) : null;
}

export function projectView(project: ProjectRec, hydrate: boolean): JsonObject {
  return entity({
    id: project.id,
    name: project.name,
    body: {
      created: formatMicros(project.created),
      updated: formatMicros(project.updated),
      display_name: project.displayName,
    },
    metadata: hydrate ? { description: project.description } : null,
    resources: null,
  });
}

export function tagView(store: Store, tag: TagRec, hydrate: boolean): JsonObject {
  return entity({
    id: tag.id,
    name: tag.name,
    body: {
      created: formatMicros(tag.created),
      updated: formatMicros(tag.updated),
      user_id: tag.userId,
      color: tag.color,
      exclusive: tag.exclusive,
      tagged_count: store.taggedCount(tag.id),
    },
    metadata: hydrate ? {} : null,
    resources: { user: userRef(store, tag.userId) },
  });
}

/** `resources.tags` of a taggable entity. */
export function tagList(store: Store, type: TaggableResourceType, id: string): JsonObject[] {
  return store.tagsOf(type, id).map((t) => tagView(store, t, false));
}
