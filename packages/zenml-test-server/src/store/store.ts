/**
 * The in-memory store: one Map per entity table plus the few cross-cutting
 * helpers (tags, run metadata, lookups) that routes, seeder and views share.
 * Domain rules (stage/force, numbering, naming) live in `domain/`, so the
 * seeder and the HTTP routes go through exactly the same code.
 */
import { randomUUID } from 'node:crypto';
import { nowMicros } from '../clock.js';
import { keyError } from '../errors.js';
import type {
  ApiKeyRec,
  ArtifactRec,
  ArtifactVersionRec,
  BaseRec,
  BuildRec,
  ComponentRec,
  MetadataResourceType,
  ModelRec,
  ModelVersionArtifactLinkRec,
  ModelVersionRec,
  ModelVersionRunLinkRec,
  PipelineRec,
  ProjectRec,
  RunMetadataRec,
  RunRec,
  SnapshotRec,
  StackRec,
  StepRec,
  TaggableResourceType,
  TagLinkRec,
  TagRec,
  UserRec,
} from './records.js';

export const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

/** Canonical lowercase hyphenated form, as Python's `str(UUID(...))` prints it. */
export function normalizeUuid(text: string): string {
  const hex = text.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** ColorVariants (API.md §8); a new tag without a colour gets one picked from its name. */
export const TAG_COLORS = [
  'grey',
  'purple',
  'red',
  'green',
  'yellow',
  'orange',
  'lime',
  'teal',
  'turquoise',
  'magenta',
  'blue',
] as const;

export class Store {
  readonly users = new Map<string, UserRec>();
  readonly apiKeys = new Map<string, ApiKeyRec>();
  readonly projects = new Map<string, ProjectRec>();
  readonly models = new Map<string, ModelRec>();
  readonly modelVersions = new Map<string, ModelVersionRec>();
  readonly tags = new Map<string, TagRec>();
  readonly tagLinks = new Map<string, TagLinkRec>();
  readonly artifacts = new Map<string, ArtifactRec>();
  readonly artifactVersions = new Map<string, ArtifactVersionRec>();
  readonly mvArtifactLinks = new Map<string, ModelVersionArtifactLinkRec>();
  readonly mvRunLinks = new Map<string, ModelVersionRunLinkRec>();
  readonly runMetadata: RunMetadataRec[] = [];
  readonly components = new Map<string, ComponentRec>();
  readonly stacks = new Map<string, StackRec>();
  readonly pipelines = new Map<string, PipelineRec>();
  readonly builds = new Map<string, BuildRec>();
  readonly snapshots = new Map<string, SnapshotRec>();
  readonly runs = new Map<string, RunRec>();
  readonly steps = new Map<string, StepRec>();

  /** Fresh id + timestamps for a new row. */
  base(userId: string | null): BaseRec {
    const now = nowMicros();
    return { id: randomUUID(), created: now, updated: now, userId };
  }

  touch(rec: BaseRec): void {
    rec.updated = nowMicros();
  }

  /**
   * Single get by UUID; 404 KeyError in the wording of capture 26
   * (`Unable to get <entity> with name or ID '<id>': No <entity> with this ID found.`).
   */
  mustGet<T>(table: Map<string, T>, id: string, entity: string): T {
    const rec = isUuid(id) ? table.get(normalizeUuid(id)) : undefined;
    if (!rec) {
      throw keyError(`Unable to get ${entity} with name or ID '${id}': No ${entity} with this ID found.`);
    }
    return rec;
  }

  // ---------------------------------------------------------------- users

  userByNameOrId(value: string): UserRec | undefined {
    if (isUuid(value)) return this.users.get(normalizeUuid(value));
    for (const u of this.users.values()) if (u.name === value) return u;
    return undefined;
  }

  // ------------------------------------------------------------- projects

  projectByNameOrId(value: string): ProjectRec | undefined {
    if (isUuid(value)) {
      const byId = this.projects.get(normalizeUuid(value));
      if (byId) return byId;
    }
    for (const p of this.projects.values()) if (p.name === value) return p;
    return undefined;
  }

  mustProject(value: string): ProjectRec {
    const p = this.projectByNameOrId(value);
    if (!p) throw keyError(`No project with name or ID '${value}' found.`);
    return p;
  }

  // ---------------------------------------------------------------- models

  modelByNameOrId(projectId: string, value: string): ModelRec | undefined {
    if (isUuid(value)) {
      const byId = this.models.get(normalizeUuid(value));
      if (byId) return byId;
    }
    for (const m of this.models.values()) if (m.projectId === projectId && m.name === value) return m;
    return undefined;
  }

  versionsOfModel(modelId: string): ModelVersionRec[] {
    return [...this.modelVersions.values()].filter((v) => v.modelId === modelId);
  }

  latestVersionOf(modelId: string): ModelVersionRec | null {
    let best: ModelVersionRec | null = null;
    for (const v of this.modelVersions.values()) {
      if (v.modelId === modelId && (best === null || v.number > best.number)) best = v;
    }
    return best;
  }

  /** Removes a model or artifact version with everything attached to it (links, tags, run metadata). */
  deleteResource(type: 'model_version' | 'artifact_version', id: string): void {
    (type === 'model_version' ? this.modelVersions : this.artifactVersions).delete(id);
    for (const [k, l] of this.mvArtifactLinks) if (l.modelVersionId === id || l.artifactVersionId === id) this.mvArtifactLinks.delete(k);
    for (const [k, l] of this.mvRunLinks) if (l.modelVersionId === id) this.mvRunLinks.delete(k);
    for (const [k, l] of this.tagLinks) if (l.resourceType === type && l.resourceId === id) this.tagLinks.delete(k);
    for (let i = this.runMetadata.length - 1; i >= 0; i--) {
      const e = this.runMetadata[i];
      if (e && e.resourceType === type && e.resourceId === id) this.runMetadata.splice(i, 1);
    }
  }

  // ------------------------------------------------------------------ tags

  tagByName(name: string): TagRec | undefined {
    for (const t of this.tags.values()) if (t.name === name) return t;
    return undefined;
  }

  /** Tags are matched by name and created when missing (API.md §8). */
  ensureTag(name: string, userId: string | null): TagRec {
    const existing = this.tagByName(name);
    if (existing) return existing;
    const tag: TagRec = { ...this.base(userId), name, color: colorFor(name), exclusive: false };
    this.tags.set(tag.id, tag);
    return tag;
  }

  tagsOf(resourceType: TaggableResourceType, resourceId: string): TagRec[] {
    const out: TagRec[] = [];
    for (const link of this.tagLinks.values()) {
      if (link.resourceType === resourceType && link.resourceId === resourceId) {
        const tag = this.tags.get(link.tagId);
        if (tag) out.push(tag);
      }
    }
    return out.sort((a, b) => a.created - b.created);
  }

  taggedCount(tagId: string): number {
    let n = 0;
    for (const link of this.tagLinks.values()) if (link.tagId === tagId) n++;
    return n;
  }

  /** Attaches a tag; attaching twice returns the existing link (API.md §8). */
  attachTag(tag: TagRec, resourceType: TaggableResourceType, resourceId: string): TagLinkRec {
    for (const link of this.tagLinks.values()) {
      if (link.tagId === tag.id && link.resourceType === resourceType && link.resourceId === resourceId) return link;
    }
    if (tag.exclusive) {
      // An exclusive tag sits on at most one resource of a type: move it.
      for (const [id, link] of this.tagLinks) {
        if (link.tagId === tag.id && link.resourceType === resourceType) this.tagLinks.delete(id);
      }
    }
    const link: TagLinkRec = { id: randomUUID(), created: nowMicros(), tagId: tag.id, resourceId, resourceType };
    this.tagLinks.set(link.id, link);
    return link;
  }

  detachTag(tagId: string, resourceType: TaggableResourceType, resourceId: string): boolean {
    for (const [id, link] of this.tagLinks) {
      if (link.tagId === tagId && link.resourceType === resourceType && link.resourceId === resourceId) {
        this.tagLinks.delete(id);
        return true;
      }
    }
    return false;
  }

  /** Applies `tags` / `add_tags` / `remove_tags` style name lists. */
  applyTagNames(
    resourceType: TaggableResourceType,
    resourceId: string,
    add: readonly string[] | undefined,
    remove: readonly string[] | undefined,
    userId: string | null,
  ): void {
    for (const name of add ?? []) this.attachTag(this.ensureTag(name, userId), resourceType, resourceId);
    for (const name of remove ?? []) {
      const tag = this.tagByName(name);
      if (tag) this.detachTag(tag.id, resourceType, resourceId);
    }
  }

  // ---------------------------------------------------------- run metadata

  appendMetadata(entry: Omit<RunMetadataRec, 'id' | 'created'>): void {
    this.runMetadata.push({ ...entry, id: randomUUID(), created: nowMicros() });
  }

  /** Latest value per key (metadata is append-only; API.md §5.2). */
  latestMetadata(resourceType: MetadataResourceType, resourceId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const e of this.runMetadata) {
      if (e.resourceType === resourceType && e.resourceId === resourceId) out[e.key] = e.value;
    }
    return out;
  }

  // ---------------------------------------------------------- components

  componentsOfStack(stack: StackRec, type: string): ComponentRec[] {
    return (stack.components[type] ?? [])
      .map((id) => this.components.get(id))
      .filter((c): c is ComponentRec => c !== undefined);
  }
}

/** Deterministic colour so test output is stable. */
function colorFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return TAG_COLORS[h % TAG_COLORS.length] ?? 'grey';
}

/** Infers a MetadataTypeEnum for a plain JS value (seeder and artifact `metadata`). */
export function inferMetadataType(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  if (value !== null && typeof value === 'object') return 'dict';
  return 'str';
}
