/**
 * What the source server says about the model version beyond the version itself: its linked
 * artifact versions, the pipeline run that produced it, and where the dashboard shows that run.
 */
import { z } from '../zod.js';
import { InputError, IntegrityError } from '../errors.js';
import type { ManifestArtifact } from '../manifest/schema.js';
import type { ZenmlClient } from '../zenml/client.js';
import type { ServerInfo } from '../zenml/entities.js';
import {
  artifactStoreId,
  artifactVersionTags,
  ArtifactVersionResponseSchema,
  parseResponse,
  PipelineRunResponseSchema,
  producerPipelineRunId,
  runMetadata,
  type ArtifactVersionResponse,
  type PipelineRunResponse,
} from '../zenml/schemas.js';

/** Deployment artifacts describe a running service on the source side: only exported when named. */
export const NOT_EXPORTED_BY_DEFAULT = new Set(['ServiceArtifact']);

const UUID = /^[0-9a-fA-F-]{36}$/;

/** One linked artifact version, as the manifest will describe it (files come later). */
export interface ArtifactFacts {
  id: string;
  name: string;
  version: string;
  type: string;
  uri: string;
  materializer: ManifestArtifact['materializer'];
  dataType: ManifestArtifact['dataType'];
  artifactStoreId?: string;
  contentHash?: string;
  saveType?: string;
  runMetadata: Record<string, unknown>;
  tags: string[];
  producerRunId?: string;
  created?: string;
}

export async function listLinkedArtifacts(client: ZenmlClient, projectId: string, modelVersionId: string): Promise<ArtifactFacts[]> {
  const out: ArtifactFacts[] = [];
  const list = client.paginate(
    '/api/v1/artifact_versions',
    { project: projectId, model_version_id: modelVersionId, hydrate: true, sort_by: 'asc:created' },
    ArtifactVersionResponseSchema,
  );
  for await (const av of list) out.push(toFacts(av));
  return out;
}

function toFacts(av: ArtifactVersionResponse): ArtifactFacts {
  const body = av.body;
  if (!body) throw new IntegrityError(`Artifact version ${av.id}: the server sent no body (permission denied?).`);
  const name = body.artifact.name;
  const what = `Artifact '${name}' (version ${body.version}, id ${av.id})`;
  const storeId = artifactStoreId(av);
  const created = (body as { created?: unknown }).created;
  return {
    id: av.id,
    name,
    version: body.version,
    type: body.type,
    uri: body.uri,
    materializer: sourceOf(body.materializer, `${what}: materializer`),
    dataType: sourceOf(body.data_type, `${what}: data_type`),
    ...(storeId && UUID.test(storeId) ? { artifactStoreId: storeId } : {}),
    ...(body.content_hash ? { contentHash: body.content_hash } : {}),
    ...(body.save_type ? { saveType: body.save_type } : {}),
    runMetadata: runMetadata(av),
    tags: [...artifactVersionTags(av)].sort(),
    ...(producerPipelineRunId(av) ? { producerRunId: producerPipelineRunId(av) } : {}),
    ...(typeof created === 'string' ? { created } : {}),
  };
}

/** A ZenML `Source`: a dotted import path, or `{module, attribute, type}` (kept with any extra fields). */
function sourceOf(v: unknown, what: string): ManifestArtifact['materializer'] {
  if (typeof v === 'string' && v.trim()) return v;
  if (v !== null && typeof v === 'object' && typeof (v as { module?: unknown }).module === 'string' && typeof (v as { type?: unknown }).type === 'string') {
    return v as ManifestArtifact['materializer'];
  }
  throw new IntegrityError(`${what} is missing or not a ZenML Source; without it production could not load the artifact.`);
}

/**
 * The artifacts to export. Several versions of one artifact linked to the model version: the
 * newest is kept (it is what `model_version.get_artifact(name)` returns), the others are named in the log.
 */
export function selectArtifacts(all: ArtifactFacts[], requested: string[] | undefined, log: (line: string) => void): ArtifactFacts[] {
  const byName = new Map<string, ArtifactFacts>();
  for (const a of all) {
    const seen = byName.get(a.name);
    if (seen && (seen.created ?? '') > (a.created ?? '')) {
      log(`Artifact '${a.name}': version ${a.version} is also linked; exporting the newest, version ${seen.version}.`);
      continue;
    }
    if (seen) log(`Artifact '${a.name}': version ${seen.version} is also linked; exporting the newest, version ${a.version}.`);
    byName.set(a.name, a);
  }
  const wanted = (requested ?? []).map((n) => n.trim()).filter(Boolean);
  if (!wanted.length) {
    const chosen = [...byName.values()].filter((a) => !NOT_EXPORTED_BY_DEFAULT.has(a.type));
    for (const a of byName.values()) {
      if (NOT_EXPORTED_BY_DEFAULT.has(a.type)) log(`Artifact '${a.name}' (${a.type}) is left out by default; name it in 'artifacts' to export it.`);
    }
    return chosen.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }
  const missing = [...new Set(wanted)].filter((n) => !byName.has(n));
  if (missing.length) {
    const names = [...byName.keys()].sort();
    throw new InputError(
      'artifacts',
      `${missing.map((n) => `'${n}'`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not linked to this model version; ` +
        (names.length ? `linked artifacts: ${names.join(', ')}.` : 'it has no linked artifacts.'),
    );
  }
  return [...new Set(wanted)].map((n) => byName.get(n) as ArtifactFacts).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

// ------------------------------------------------------------------ producing pipeline run

export interface RunFacts {
  id: string;
  name: string;
  status: string;
  gitCommit?: string;
  url?: string;
}

// Export's own: other actions load this module for its helpers, so these are built on first use.
const RunLinkSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    body: z.nullish(z.looseObject({ pipeline_run: z.nullish(z.looseObject({ id: z.string(), name: z.nullish(z.string()) })) })),
  }),
);

const CodeReferenceSchema = z.lazy(() =>
  z.looseObject({
    body: z.nullish(z.looseObject({ commit: z.nullish(z.string()) })),
    commit: z.nullish(z.string()),
  }),
);

/** Run-metadata keys that carry a git commit when the run has no code reference. */
export const GIT_COMMIT_KEYS = ['git_commit', 'commit', 'git_sha', 'commit_sha'];

/**
 * The pipeline run linked to the model version (model_version_pipeline_runs). With several: the
 * one that produced an exported artifact (model artifacts first), else the earliest.
 */
export async function findProducingRun(
  client: ZenmlClient,
  modelVersionId: string,
  artifacts: ArtifactFacts[],
  server: ServerInfo,
): Promise<RunFacts | undefined> {
  const linked: string[] = [];
  const list = client.paginate('/api/v1/model_version_pipeline_runs', { model_version_id: modelVersionId, sort_by: 'asc:created' }, RunLinkSchema);
  for await (const link of list) {
    const id = link.body?.pipeline_run?.id;
    if (id && !linked.includes(id)) linked.push(id);
  }
  if (!linked.length) return undefined;
  const producers = [...artifacts].sort((a, b) => Number(b.type === 'ModelArtifact') - Number(a.type === 'ModelArtifact')).map((a) => a.producerRunId);
  const chosen = producers.find((id) => id !== undefined && linked.includes(id)) ?? (linked[0] as string);

  const { data } = await client.api.GET('/api/v1/runs/{run_id}', { params: { path: { run_id: chosen }, query: { hydrate: true } } });
  const run = parseResponse(PipelineRunResponseSchema, data, 'GET /api/v1/runs/{id}');
  const gitCommit = gitCommitOf(run);
  const url = runDashboardUrl(server, run.id);
  return {
    id: run.id,
    name: run.name,
    status: run.body?.status ?? 'unknown',
    ...(gitCommit ? { gitCommit } : {}),
    ...(url ? { url } : {}),
  };
}

/** From the run's code reference, else from its run metadata. */
export function gitCommitOf(run: PipelineRunResponse): string | undefined {
  const ref = CodeReferenceSchema.safeParse((run.resources as { code_reference?: unknown } | null | undefined)?.code_reference);
  const fromRef = ref.success ? (ref.data.body?.commit ?? ref.data.commit) : undefined;
  if (fromRef) return fromRef;
  return commitFromMetadata(runMetadata(run));
}

export function commitFromMetadata(metadata: Record<string, unknown>): string | undefined {
  for (const key of GIT_COMMIT_KEYS) {
    const v = metadata[key];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return undefined;
}

/** `<dashboard_url>/runs/<id>`, as ZenML's own `get_run_url` builds it; undefined without a dashboard URL. */
export function runDashboardUrl(server: ServerInfo, runId: string): string | undefined {
  const base = server.dashboardUrl?.replace(/\/+$/, '');
  return base ? `${base}/runs/${runId}` : undefined;
}
