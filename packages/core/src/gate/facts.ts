/**
 * The facts the gate decides on: the candidate (a model version on a server, or an export bundle's
 * manifest, so that a job with no access to the source server can still gate) and the champion
 * (the current holder of the target stage, typically on the production server).
 */
import { InputError } from '../errors.js';
import { resolveModel, resolveModelVersion, resolveProject } from '../export/resolve.js';
import type { Manifest } from '../manifest/schema.js';
import type { ZenmlClient } from '../zenml/client.js';
import { modelVersionTags, runMetadata, type ModelVersionResponse } from '../zenml/schemas.js';
import type { CandidateFacts } from './types.js';

/** Stages a version can hold (the champion is looked up by one of these). */
export const HOLDABLE_STAGES = ['staging', 'production', 'archived'] as const;

/** The model version `version` designates (number, name, stage or `latest`, as in export-model). */
export async function candidateFromServer(client: ZenmlClient, q: { project: string; model: string; version: string }): Promise<CandidateFacts> {
  const project = await resolveProject(client, q.project);
  const model = await resolveModel(client, project, q.model);
  const mv = await resolveModelVersion(client, project, model, q.version);
  return factsOf(mv, model.name, client.serverUrl, project.name);
}

/** The candidate as the export manifest describes it: metrics and all other metadata merged (metrics win a clash). */
export function candidateFromManifest(m: Manifest): CandidateFacts {
  const created = isoTime(m.source.trainingDate);
  return {
    model: m.model.name,
    version: m.model.versionName,
    number: m.model.versionNumber,
    modelVersionId: m.source.modelVersionId,
    stage: m.model.stage,
    metrics: { ...m.metadata, ...m.metrics },
    tags: [...m.model.tags],
    ...(created ? { createdAt: created } : {}),
    origin: 'manifest',
    serverUrl: m.source.serverUrl,
    project: m.source.project,
  };
}

/**
 * The current holder of `stage` for `model` on that server; undefined when nobody holds it — also
 * when the model does not exist there yet (a first promotion has no champion). An unknown project
 * is still an error: that is a mistake in the inputs, not an empty stage.
 */
export async function championFromServer(
  client: ZenmlClient,
  q: { project: string; model: string; stage: string; /** The input that named the stage, for the error (default 'target-stage'). */ stageInput?: string },
): Promise<CandidateFacts | undefined> {
  const stage = q.stage.trim().toLowerCase();
  if (!(HOLDABLE_STAGES as readonly string[]).includes(stage)) {
    throw new InputError(q.stageInput ?? 'target-stage', `'${q.stage}' is not a stage a model version can hold: expected one of ${HOLDABLE_STAGES.join(', ')}.`);
  }
  const project = await resolveProject(client, q.project);
  const model = await client.findModel(project.id, q.model.trim());
  if (!model || (model.projectId && model.projectId !== project.id)) return undefined;
  let mv: ModelVersionResponse;
  try {
    mv = await resolveModelVersion(client, project, model, stage);
  } catch (err) {
    // resolveModelVersion's only InputError for a valid stage is "no version in that stage".
    if (err instanceof InputError && err.input === 'version') return undefined;
    throw err;
  }
  return factsOf(mv, model.name, client.serverUrl, project.name);
}

function factsOf(mv: ModelVersionResponse, model: string, serverUrl: string, project: string): CandidateFacts {
  const number = mv.body?.number;
  const created = isoTime((mv.body as { created?: unknown } | null | undefined)?.created);
  return {
    model,
    version: mv.name ?? String(number),
    ...(number !== undefined ? { number } : {}),
    modelVersionId: mv.id,
    stage: mv.body?.stage ?? null,
    metrics: runMetadata(mv),
    tags: modelVersionTags(mv),
    ...(created ? { createdAt: created } : {}),
    origin: 'server',
    serverUrl,
    project,
  };
}

/**
 * An ISO time with a zone from what ZenML sends: naive UTC with microseconds
 * (`2025-06-01T12:00:00.123456`) becomes `2025-06-01T12:00:00.123Z`. Undefined when unparseable.
 */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const t = value.trim();
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t : `${t}Z`;
  const ms = Date.parse(zoned.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** "readmission-clf v3", or "churn version 'golden'" for a named version. */
export function versionLabel(f: { model: string; version: string }): string {
  return /^\d+$/.test(f.version) ? `${f.model} v${f.version}` : `${f.model} version '${f.version}'`;
}
