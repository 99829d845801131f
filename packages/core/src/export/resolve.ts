/**
 * Which model version is meant: project and model by name or id, then the version by number,
 * stage (`latest` = the highest number, never `stage=latest`: API.md §3.3) or name.
 */
import { InputError } from '../errors.js';
import type { Query, ZenmlClient } from '../zenml/client.js';
import type { Model, Project } from '../zenml/entities.js';
import { ModelResponseSchema, ModelVersionResponseSchema, parseResponse, type ModelVersionResponse } from '../zenml/schemas.js';

/** Stages a `version` input may name. `latest` is virtual: the version with the highest number. */
export const VERSION_STAGES = ['staging', 'production', 'archived', 'latest'] as const;

/** How many names an error message lists before "…". */
const SHOWN = 10;

export async function resolveProject(client: ZenmlClient, project: string): Promise<Project> {
  const name = project.trim();
  if (!name) throw new InputError('project', 'is empty: give the name or id of the ZenML project.');
  const found = await client.findProject(name);
  if (!found) {
    const names: string[] = [];
    for await (const p of client.listProjects()) {
      names.push(p.name);
      if (names.length > SHOWN) break;
    }
    throw new InputError('project', `no project '${name}' on ${client.serverUrl}${known('projects', names)}`);
  }
  return found;
}

export async function resolveModel(client: ZenmlClient, project: Project, model: string): Promise<Model> {
  const name = model.trim();
  if (!name) throw new InputError('model', 'is empty: give the name or id of the model.');
  const found = await client.findModel(project.id, name);
  if (!found || (found.projectId && found.projectId !== project.id)) {
    const names: string[] = [];
    for await (const m of client.paginate('/api/v1/models', { project: project.id, size: SHOWN + 1 }, ModelResponseSchema)) {
      names.push(m.name);
      if (names.length > SHOWN) break;
    }
    throw new InputError('model', `no model '${name}' in project '${project.name}'${known('models', names)}`);
  }
  return found;
}

interface VersionLookup {
  query: Query;
  /** For messages: "version number 12", "the version in stage 'production'". */
  what: string;
  check?: (mv: ModelVersionResponse) => boolean;
}

export function versionLookup(version: string): VersionLookup {
  const v = version.trim();
  if (!v) {
    throw new InputError('version', `is empty: give a version number, a version name, or a stage (${VERSION_STAGES.join(', ')}).`);
  }
  const lower = v.toLowerCase();
  if (lower === 'latest') return { query: { sort_by: 'desc:number' }, what: 'the latest version' };
  if ((VERSION_STAGES as readonly string[]).includes(lower)) {
    return { query: { stage: lower }, what: `a version in stage '${lower}'`, check: (mv) => mv.body?.stage === lower };
  }
  if (/^\d+$/.test(v)) return { query: { number: Number(v) }, what: `version number ${v}`, check: (mv) => mv.body?.number === Number(v) };
  // equals: keeps a name that looks like a filter operator (`contains:x`) literal.
  return { query: { name: `equals:${v}` }, what: `a version named '${v}'`, check: (mv) => mv.name === v };
}

/** The hydrated model version `version` designates; InputError naming what exists when there is none. */
export async function resolveModelVersion(client: ZenmlClient, project: Project, model: Model, version: string): Promise<ModelVersionResponse> {
  const lookup = versionLookup(version);
  let id: string | undefined;
  const list = client.paginate(
    '/api/v1/model_versions',
    { model: model.id, project: project.id, hydrate: false, size: 1, ...lookup.query },
    ModelVersionResponseSchema,
  );
  for await (const mv of list) {
    if (!lookup.check || lookup.check(mv)) id = mv.id;
    break;
  }
  if (!id) throw new InputError('version', `model '${model.name}' has no ${lookup.what.replace(/^(a|the) /, '')}; ${await describeVersions(client, project, model)}`);
  const { data } = await client.api.GET('/api/v1/model_versions/{model_version_id}', {
    params: { path: { model_version_id: id }, query: { hydrate: true } },
  });
  return parseResponse(ModelVersionResponseSchema, data, 'GET /api/v1/model_versions/{id}');
}

/** "versions: 5 (production), 4 (staging), 3, …" — the newest first. */
async function describeVersions(client: ZenmlClient, project: Project, model: Model): Promise<string> {
  const shown: string[] = [];
  let more = false;
  const list = client.paginate(
    '/api/v1/model_versions',
    { model: model.id, project: project.id, sort_by: 'desc:number', size: SHOWN + 1 },
    ModelVersionResponseSchema,
  );
  for await (const mv of list) {
    if (shown.length === SHOWN) {
      more = true;
      break;
    }
    const number = mv.body?.number;
    const name = mv.name && mv.name !== String(number) ? ` '${mv.name}'` : '';
    const stage = mv.body?.stage ? ` (${mv.body.stage})` : '';
    shown.push(`${number ?? '?'}${name}${stage}`);
  }
  if (!shown.length) return 'it has no versions at all.';
  return `its versions, newest first: ${shown.join(', ')}${more ? ', …' : ''}. Give a number, a version name, or one of ${VERSION_STAGES.join(', ')}.`;
}

function known(what: string, names: string[]): string {
  if (!names.length) return ` (there are no ${what}).`;
  const more = names.length > SHOWN ? ', …' : '';
  return ` (${what}: ${names.slice(0, SHOWN).join(', ')}${more}).`;
}
