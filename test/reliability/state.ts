/**
 * End-state snapshots for the reliability tests: what a user would see on a ZenML server and in
 * an exchange or artifact store after a run, normalised so that two runs against two fresh
 * servers compare equal when they did the same thing. Ids (which differ per server) become
 * labels (`mv#2`, `av:sklearn_classifier:1`), times become `<time>`, per-run keys are dropped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestServer } from '@mlops-actions/zenml-test-server';
import { defaultArtifactStore } from '../harness/trained-model.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Metadata written per import run (when and by whom); a re-run may legitimately refresh them. */
const PER_RUN_KEYS = new Set(['imported_at', 'imported_by', 'imported_workflow_run_url']);
/** The temp files of the file:// store's in-progress writes. */
export const PARTIAL_FILE = /(^|\/)\.exchange-(?:[0-9a-f]{8}-\d+-)?[0-9a-f]{16}\.partial$/;

/** Replaces server-specific ids with labels and times with `<time>`, at any depth. */
function normalise(value: unknown, labels: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (ISO_TIME.test(value)) return '<time>';
    let out = value;
    for (const [id, label] of labels) out = out.split(id).join(label);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, labels));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = normalise((value as Record<string, unknown>)[k], labels);
    return out;
  }
  return value;
}

export interface RegistrySnapshot {
  models: string[];
  versions: Record<string, unknown>[];
  artifactVersions: Record<string, unknown>[];
}

/**
 * Models, model versions (number, name, stage, description, tags, latest metadata value per key,
 * linked artifacts) and artifact versions of a test server, ids replaced by labels.
 */
export function registrySnapshot(server: TestServer): RegistrySnapshot {
  const { store } = server;
  const storePath = defaultArtifactStore(server).path;
  const labels = new Map<string, string>([[storePath, '<store>'], [server.url, '<server>']]);
  const modelName = (id: string): string => store.models.get(id)?.name ?? '?';
  for (const mv of store.modelVersions.values()) labels.set(mv.id, `mv:${modelName(mv.modelId)}#${mv.number}`);
  for (const av of store.artifactVersions.values()) labels.set(av.id, `av:${store.artifacts.get(av.artifactId)?.name ?? '?'}:${av.version}`);
  for (const m of store.models.values()) labels.set(m.id, `model:${m.name}`);
  for (const p of store.projects.values()) labels.set(p.id, `project:${p.name}`);

  const metadataOf = (id: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    // Append-only log: the latest entry per key is the value a reader sees.
    for (const e of store.runMetadata) if (e.resourceId === id && !PER_RUN_KEYS.has(e.key)) out[e.key] = e.value;
    return out;
  };
  const versions = [...store.modelVersions.values()]
    .map((mv) => ({
      model: modelName(mv.modelId),
      number: mv.number,
      name: mv.name,
      stage: mv.stage,
      description: mv.description,
      tags: store.tagsOf('model_version', mv.id).map((t) => t.name).sort(),
      metadata: metadataOf(mv.id),
      artifacts: [...store.mvArtifactLinks.values()]
        .filter((l) => l.modelVersionId === mv.id)
        .map((l) => labels.get(l.artifactVersionId) ?? l.artifactVersionId)
        .sort(),
    }))
    .sort((a, b) => a.model.localeCompare(b.model) || a.number - b.number);
  const artifactVersions = [...store.artifactVersions.values()]
    .map((av) => ({
      artifact: store.artifacts.get(av.artifactId)?.name ?? '?',
      version: av.version,
      uri: av.uri,
      type: av.type,
      materializer: av.materializer,
      dataType: av.dataType,
      contentHash: av.contentHash,
      tags: store.tagsOf('artifact_version', av.id).map((t) => t.name).sort(),
      metadata: metadataOf(av.id),
    }))
    .sort((a, b) => a.uri.localeCompare(b.uri));
  return normalise(
    { models: [...store.models.values()].map((m) => m.name).sort(), versions, artifactVersions },
    new Map([...labels].sort((a, b) => b[0].length - a[0].length)),
  ) as RegistrySnapshot;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Files (key → bytes) as key → sha256. `replace` pairs (e.g. a server URL or a bundle digest → a
 * label) apply to keys and manifests; in a manifest (`manifest.json`) times and ids are masked
 * too, so that an export from another, identically seeded server compares equal. Partial-write
 * temp files are listed separately: they are litter, not content.
 */
export function filesSnapshot(entries: Iterable<[string, Buffer]>, replace: [string, string][] = []): { files: Record<string, string>; partials: string[] } {
  const files: Record<string, string> = {};
  const partials: string[] = [];
  const labels = new Map(replace);
  const relabel = (text: string): string => replace.reduce((t, [from, to]) => t.split(from).join(to), text);
  for (const [key, bytes] of entries) {
    if (PARTIAL_FILE.test(key)) {
      partials.push(relabel(key));
      continue;
    }
    const content = key.endsWith('manifest.json') ? JSON.stringify(normalise(JSON.parse(bytes.toString('utf8')), labels)).replace(UUID, '<uuid>') : bytes;
    files[relabel(key)] = createHash('sha256').update(content).digest('hex');
  }
  return { files, partials: partials.sort() };
}

/** Every file under `dir` (see filesSnapshot). */
export function treeSnapshot(dir: string, replace: [string, string][] = []): { files: Record<string, string>; partials: string[] } {
  const entries: [string, Buffer][] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else entries.push([relative(dir, p), readFileSync(p)]);
    }
  };
  if (existsSync(dir)) walk(dir);
  return filesSnapshot(entries, replace);
}

/** Empty directories under `dir` (relative paths): left behind by a cleanup that was cut short. */
export function emptyDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const names = readdirSync(d);
    if (!names.length && d !== dir) out.push(relative(dir, d));
    for (const n of names) if (statSync(join(d, n)).isDirectory()) walk(join(d, n));
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}
