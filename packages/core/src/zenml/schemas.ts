/**
 * zod schemas for the ZenML responses the suite reads. They check only what the suite uses, and
 * they are loose on purpose: servers add fields and enum values every release (API.md §11-12),
 * and an action must not fail because a server grew a field it never looks at. Fields that moved
 * between versions are optional in both places and read through the normalizers at the bottom.
 */
import { z } from '../zod.js';
import { IntegrityError } from '../errors.js';

const str = z.string();
const optStr = z.nullish(z.string());
const optBool = z.nullish(z.boolean());
const optInt = z.nullish(z.number());
/** Enum-valued fields: any string, so a value added by a newer server still parses. */
const openEnum = z.string();

/*
 * Every action loads this file, but each reads only a few kinds of entity: the schemas are built
 * on first use (z.lazy) rather than when the module loads. That includes the token exchange's,
 * which every action needs: built when the login's answer arrives, it costs nothing before the
 * first request leaves.
 */

/** The entity envelope every ZenML response shares (API.md §2.1). */
function envelope<N extends z.core.$ZodType, B extends z.core.$ZodType, M extends z.core.$ZodType, R extends z.core.$ZodType>(parts: {
  name: N;
  body: B;
  metadata: M;
  resources: R;
}) {
  return z.looseObject({
    id: str,
    name: parts.name,
    // RBAC can hide an entity: then body, metadata and resources are all null.
    permission_denied: optBool,
    body: z.nullish(parts.body),
    metadata: z.nullish(parts.metadata),
    resources: z.nullish(parts.resources),
  });
}

const anyObject = z.looseObject({});
const runMetadataMap = z.record(z.string(), z.unknown());

export const PageSchema = <T extends z.core.$ZodType>(item: T) =>
  z.looseObject({
    index: z.number(),
    max_size: z.number(),
    total_pages: z.number(),
    total: z.number(),
    items: z.array(item),
  });

// ---------------------------------------------------------------- server, auth, user

export const ServerModelSchema = z.lazy(() =>
  z.looseObject({
    id: str,
    version: str,
    name: optStr,
    active: optBool,
    debug: optBool,
    deployment_type: z.nullish(openEnum),
    database_type: z.nullish(openEnum),
    secrets_store_type: z.nullish(openEnum),
    auth_scheme: z.nullish(openEnum),
    server_url: optStr,
    dashboard_url: optStr,
    analytics_enabled: optBool,
    metadata: z.nullish(z.record(z.string(), z.unknown())),
    last_user_activity: optStr,
    pro_dashboard_url: optStr,
    pro_api_url: optStr,
    pro_organization_id: optStr,
    pro_organization_name: optStr,
    pro_workspace_id: optStr,
    pro_workspace_name: optStr,
  }),
);
export type ServerModel = z.infer<typeof ServerModelSchema>;

export const OAuthTokenResponseSchema = z.lazy(() =>
  z.looseObject({
    access_token: z.string().check(z.minLength(1)),
    token_type: optStr,
    // null (the OSS default) means the token never expires
    expires_in: optInt,
    refresh_token: optStr,
    csrf_token: optStr,
    scope: optStr,
  }),
);
export type OAuthTokenResponse = z.infer<typeof OAuthTokenResponseSchema>;

export const UserResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({
      active: optBool,
      full_name: optStr,
      is_service_account: optBool,
      is_admin: optBool,
      default_project_id: optStr,
    }),
    metadata: z.looseObject({ email: optStr }),
    resources: anyObject,
  }),
);
export type UserResponse = z.infer<typeof UserResponseSchema>;

// ---------------------------------------------------------------- tags, projects

export const TagResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({ color: optStr, exclusive: optBool }),
    metadata: anyObject,
    resources: anyObject,
  }),
);
export type TagResponse = z.infer<typeof TagResponseSchema>;

/** Tag lists: full tag objects on every version seen, plain names accepted in case. */
const tagList = z.lazy(() => z.nullish(z.array(z.union([TagResponseSchema, z.string()]))));

export const ProjectResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({ display_name: optStr }),
    metadata: z.looseObject({ description: optStr }),
    resources: anyObject,
  }),
);
export type ProjectResponse = z.infer<typeof ProjectResponseSchema>;

// ---------------------------------------------------------------- components, stacks

export const ComponentResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({
      type: openEnum,
      flavor_name: optStr,
      // 0.6x called it `flavor`
      flavor: optStr,
      integration: optStr,
    }),
    metadata: z.looseObject({
      configuration: z.nullish(z.record(z.string(), z.unknown())),
      connector: z.optional(z.unknown()),
      connector_resource_id: optStr,
    }),
    resources: anyObject,
  }),
);
export type ComponentResponse = z.infer<typeof ComponentResponseSchema>;

export const StackResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: anyObject,
    metadata: z.looseObject({
      // type → components; the nested components may not be hydrated
      components: z.nullish(z.record(z.string(), z.array(ComponentResponseSchema))),
      description: optStr,
    }),
    resources: anyObject,
  }),
);
export type StackResponse = z.infer<typeof StackResponseSchema>;

// ---------------------------------------------------------------- models

export const ModelResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({ project_id: optStr, user_id: optStr, tags: tagList }),
    metadata: z.looseObject({
      description: optStr,
      license: optStr,
      audience: optStr,
      use_cases: optStr,
      limitations: optStr,
      trade_offs: optStr,
      ethics: optStr,
    }),
    resources: z.looseObject({
      tags: tagList,
      latest_version_name: optStr,
      latest_version_id: optStr,
    }),
  }),
);
export type ModelResponse = z.infer<typeof ModelResponseSchema>;

export const ModelVersionResponseSchema = z.lazy(() =>
  envelope({
    name: optStr,
    body: z.looseObject({
      project_id: optStr,
      user_id: optStr,
      // a ModelStages value; null = never promoted. Open, in case stages are added.
      stage: z.nullish(openEnum),
      number: z.number(),
      model: z.nullish(ModelResponseSchema),
      // 0.80–0.8x only
      tags: tagList,
    }),
    metadata: z.looseObject({ description: optStr, run_metadata: z.nullish(runMetadataMap) }),
    resources: z.looseObject({ tags: tagList }),
  }),
);
export type ModelVersionResponse = z.infer<typeof ModelVersionResponseSchema>;

// ---------------------------------------------------------------- artifacts

export const ArtifactResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({ project_id: optStr, tags: tagList }),
    metadata: z.looseObject({ has_custom_name: optBool }),
    resources: z.looseObject({ tags: tagList, latest_version_name: optStr, latest_version_id: optStr }),
  }),
);
export type ArtifactResponse = z.infer<typeof ArtifactResponseSchema>;

export const ArtifactVersionResponseSchema = z.lazy(() =>
  envelope({
    // no top-level name: it is body.artifact.name
    name: z.optional(z.unknown()),
    body: z.looseObject({
      project_id: optStr,
      artifact: z.looseObject({ id: str, name: str }),
      // always a string on 0.90+; older servers sent numbers
      version: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
      uri: str,
      type: openEnum,
      materializer: z.optional(z.unknown()),
      data_type: z.optional(z.unknown()),
      save_type: z.nullish(openEnum),
      artifact_store_id: optStr,
      content_hash: optStr,
      item_count: optInt,
      tags: tagList,
      producer_pipeline_run_id: optStr,
    }),
    metadata: z.looseObject({
      run_metadata: z.nullish(runMetadataMap),
      visualizations: z.nullish(z.array(z.unknown())),
      artifact_store_id: optStr,
      producer_step_run_id: optStr,
    }),
    resources: z.looseObject({ tags: tagList, producer_step_run_id: optStr, producer_pipeline_run_id: optStr }),
  }),
);
export type ArtifactVersionResponse = z.infer<typeof ArtifactVersionResponseSchema>;

export const ModelVersionArtifactResponseSchema = z.lazy(() =>
  envelope({
    name: z.optional(z.unknown()),
    body: z.looseObject({ model_version: str, artifact_version: ArtifactVersionResponseSchema }),
    metadata: anyObject,
    resources: anyObject,
  }),
);
export type ModelVersionArtifactResponse = z.infer<typeof ModelVersionArtifactResponseSchema>;

// ---------------------------------------------------------------- pipelines, snapshots, runs

const refByIdName = z.looseObject({ id: str, name: optStr });

export const PipelineResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({ project_id: optStr }),
    metadata: z.looseObject({ description: optStr }),
    resources: anyObject,
  }),
);
export type PipelineResponse = z.infer<typeof PipelineResponseSchema>;

export const PipelineBuildResponseSchema = z.lazy(() =>
  envelope({
    name: z.optional(z.unknown()),
    body: anyObject,
    metadata: z.looseObject({
      images: z.nullish(z.record(z.string(), z.looseObject({ image: optStr }))),
      is_local: optBool,
      contains_code: optBool,
      stack_checksum: optStr,
      zenml_version: optStr,
    }),
    resources: anyObject,
  }),
);
export type PipelineBuildResponse = z.infer<typeof PipelineBuildResponseSchema>;

export const PipelineSnapshotResponseSchema = z.lazy(() =>
  envelope({
    // null for anonymous snapshots
    name: optStr,
    body: z.looseObject({
      project_id: optStr,
      runnable: optBool,
      deployable: optBool,
      is_dynamic: optBool,
      pipeline_id: optStr,
    }),
    metadata: z.looseObject({
      description: optStr,
      config_template: z.nullish(z.record(z.string(), z.unknown())),
      config_schema: z.nullish(z.record(z.string(), z.unknown())),
      server_version: optStr,
    }),
    resources: z.looseObject({
      pipeline: z.nullish(refByIdName),
      stack: z.nullish(refByIdName),
      build: z.nullish(z.looseObject({ id: str })),
      tags: tagList,
      latest_run_id: optStr,
      latest_run_status: optStr,
    }),
  }),
);
export type PipelineSnapshotResponse = z.infer<typeof PipelineSnapshotResponseSchema>;

export const PipelineRunResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({
      project_id: optStr,
      // ExecutionStatus keeps growing: open string; decide with in_progress
      status: openEnum,
      in_progress: optBool,
      status_reason: optStr,
      pipeline_id: optStr,
    }),
    metadata: z.looseObject({
      start_time: optStr,
      end_time: optStr,
      run_metadata: z.nullish(runMetadataMap),
      orchestrator_run_id: optStr,
    }),
    resources: z.looseObject({
      snapshot: z.nullish(refByIdName),
      pipeline: z.nullish(refByIdName),
      stack: z.nullish(refByIdName),
      tags: tagList,
    }),
  }),
);
export type PipelineRunResponse = z.infer<typeof PipelineRunResponseSchema>;

export const StepRunResponseSchema = z.lazy(() =>
  envelope({
    name: str,
    body: z.looseObject({ status: openEnum, start_time: optStr, end_time: optStr }),
    metadata: anyObject,
    resources: anyObject,
  }),
);
export type StepRunResponse = z.infer<typeof StepRunResponseSchema>;

// ---------------------------------------------------------------- parsing

/**
 * Checks `data` against `schema`; on mismatch throws one line naming what was expected and the
 * first paths that failed, never the body (it may be large, and may hold values a log should not).
 */
export function parseResponse<T>(schema: z.core.$ZodType<T>, data: unknown, what: string): T {
  // z.safeParse, not schema.safeParse: core-typed, so any zod schema a caller holds is accepted.
  const r = z.safeParse(schema, data);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const shown = issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  throw new IntegrityError(
    `Unexpected response from the ZenML server for ${what}: ${shown.join('; ')}${more}. ` +
      'Check that server-url points at a ZenML server (0.80 or newer).',
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

// ---------------------------------------------------------------- normalizers

type Tags = z.infer<typeof tagList>;

/** Tag names from any of the tag list shapes. */
export function tagNames(tags: Tags): string[] {
  return (tags ?? []).map((t) => (typeof t === 'string' ? t : t.name));
}

/** Tags moved from `body` (0.80–0.8x) to `resources` (0.90+): read the newer place first. */
function movedTags(e: { body?: { tags?: Tags } | null; resources?: { tags?: Tags } | null }): string[] {
  return tagNames(e.resources?.tags ?? e.body?.tags);
}

export const modelTags = (m: ModelResponse): string[] => movedTags(m);
export const modelVersionTags = (mv: ModelVersionResponse): string[] => movedTags(mv);
export const artifactTags = (a: ArtifactResponse): string[] => movedTags(a);
export const artifactVersionTags = (av: ArtifactVersionResponse): string[] => movedTags(av);

/** Lived in `metadata` in some 0.7x servers, in `body` since. */
export function artifactStoreId(av: ArtifactVersionResponse): string | undefined {
  return av.body?.artifact_store_id ?? av.metadata?.artifact_store_id ?? undefined;
}

export function producerPipelineRunId(av: ArtifactVersionResponse): string | undefined {
  return av.resources?.producer_pipeline_run_id ?? av.body?.producer_pipeline_run_id ?? undefined;
}

export function producerStepRunId(av: ArtifactVersionResponse): string | undefined {
  return av.resources?.producer_step_run_id ?? av.metadata?.producer_step_run_id ?? undefined;
}

/**
 * Run metadata as a flat key → value map. 0.80+ sends exactly that; older servers sent one
 * RunMetadataResponse envelope per key (`{id, body: {key, value, type}}`), which is unwrapped.
 */
export function runMetadata(e: { metadata?: { run_metadata?: Record<string, unknown> | null } | null }): Record<string, unknown> {
  const raw = e.metadata?.run_metadata ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const body = isRecord(v) && isRecord(v.body) && 'value' in v.body && 'id' in v ? v.body : undefined;
    out[k] = body ? body.value : v;
  }
  return out;
}

/** Statuses known to be final (API.md §6.4); anything else, including values we do not know, is not. */
export const FINISHED_RUN_STATUSES: ReadonlySet<string> = new Set([
  'completed',
  'failed',
  'cached',
  'skipped',
  'retried',
  'stopped',
  'cancelled',
]);

/** `in_progress` is computed by the server and portable; the status set is the fallback. */
export function runInProgress(run: PipelineRunResponse): boolean {
  const inProgress = run.body?.in_progress;
  if (typeof inProgress === 'boolean') return inProgress;
  return !FINISHED_RUN_STATUSES.has(run.body?.status ?? '');
}

/** An artifact store's root (`metadata.configuration.path`); needs a hydrated component. */
export function componentPath(c: ComponentResponse): string | undefined {
  const p = c.metadata?.configuration?.path;
  return typeof p === 'string' ? p : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
