/**
 * The rows the in-memory store keeps. Field names are camelCase on purpose:
 * records are the store's private representation; `views/` turns them into
 * the snake_case wire shapes of API.md.
 */

/** Microseconds since the epoch (see clock.ts). */
export type Micros = number;

export interface BaseRec {
  id: string;
  created: Micros;
  updated: Micros;
  /** The user that created the row (null for server-made rows). */
  userId: string | null;
}

export interface ProjectScoped {
  projectId: string;
}

export interface UserRec extends BaseRec {
  name: string;
  fullName: string;
  active: boolean;
  isServiceAccount: boolean;
  isAdmin: boolean;
  email: string | null;
  defaultProjectId: string | null;
  /** Only for the `password` grant of human users. */
  password: string | null;
  description: string | null;
}

export interface ApiKeyRec extends BaseRec {
  name: string;
  serviceAccountId: string;
  /** The secret half of the key, compared on login. */
  secret: string;
  active: boolean;
  lastLogin: Micros | null;
}

export interface ProjectRec extends BaseRec {
  name: string;
  displayName: string;
  description: string;
}

export interface ModelRec extends BaseRec, ProjectScoped {
  name: string;
  license: string | null;
  description: string | null;
  audience: string | null;
  useCases: string | null;
  limitations: string | null;
  tradeOffs: string | null;
  ethics: string | null;
  saveModelsToRegistry: boolean;
}

export interface ModelVersionRec extends BaseRec, ProjectScoped {
  modelId: string;
  name: string;
  number: number;
  /** null until promoted (API.md §3.3). */
  stage: string | null;
  description: string | null;
}

export const TAGGABLE_RESOURCE_TYPES = [
  'artifact',
  'artifact_version',
  'model',
  'model_version',
  'pipeline',
  'pipeline_run',
  'run_template',
  'pipeline_snapshot',
  'deployment',
] as const;
export type TaggableResourceType = (typeof TAGGABLE_RESOURCE_TYPES)[number];

export interface TagRec extends BaseRec {
  name: string;
  color: string;
  exclusive: boolean;
}

export interface TagLinkRec {
  id: string;
  created: Micros;
  tagId: string;
  resourceId: string;
  resourceType: TaggableResourceType;
}

export interface ArtifactRec extends BaseRec, ProjectScoped {
  name: string;
  hasCustomName: boolean;
}

/** ZenML `Source`: `{module, attribute, type}`. */
export interface SourceObj {
  module: string;
  attribute: string | null;
  type: string;
}

export interface VisualizationRec {
  type: string;
  uri: string;
}

export interface ArtifactVersionRec extends BaseRec, ProjectScoped {
  artifactId: string;
  /** Always a string on the wire (API.md §4.3). */
  version: string;
  uri: string;
  type: string;
  materializer: SourceObj;
  dataType: SourceObj;
  saveType: string;
  artifactStoreId: string | null;
  contentHash: string | null;
  itemCount: number | null;
  visualizations: VisualizationRec[];
  producerStepRunId: string | null;
  producerPipelineRunId: string | null;
}

export interface ModelVersionArtifactLinkRec extends BaseRec {
  modelVersionId: string;
  artifactVersionId: string;
}

export interface ModelVersionRunLinkRec extends BaseRec {
  modelVersionId: string;
  pipelineRunId: string;
}

export const METADATA_RESOURCE_TYPES = [
  'pipeline_run',
  'step_run',
  'artifact_version',
  'model_version',
  'schedule',
  'wait_condition',
] as const;
export type MetadataResourceType = (typeof METADATA_RESOURCE_TYPES)[number];

/** One appended run-metadata value; reads show the latest entry per key (API.md §5.2). */
export interface RunMetadataRec {
  id: string;
  created: Micros;
  projectId: string;
  userId: string | null;
  resourceId: string;
  resourceType: MetadataResourceType;
  key: string;
  value: unknown;
  type: string;
  stackComponentId: string | null;
  publisherStepId: string | null;
}

export interface ComponentRec extends BaseRec {
  name: string;
  type: string;
  flavor: string;
  integration: string;
  configuration: Record<string, unknown>;
  labels: Record<string, string> | null;
}

export interface StackRec extends BaseRec {
  name: string;
  description: string;
  /** component type → component ids */
  components: Record<string, string[]>;
}

export interface PipelineRec extends BaseRec, ProjectScoped {
  name: string;
  description: string | null;
}

export interface BuildImage {
  image: string;
  dockerfile: string | null;
  requirements: string | null;
  settings_checksum: string | null;
  contains_code: boolean;
  requires_code_download: boolean;
}

export interface BuildRec extends BaseRec, ProjectScoped {
  pipelineId: string | null;
  stackId: string | null;
  images: Record<string, BuildImage>;
  isLocal: boolean;
  containsCode: boolean;
  zenmlVersion: string | null;
  pythonVersion: string | null;
  checksum: string | null;
  stackChecksum: string | null;
  duration: number | null;
}

export interface SnapshotRec extends BaseRec, ProjectScoped {
  pipelineId: string;
  stackId: string;
  buildId: string | null;
  name: string | null;
  description: string | null;
  runnable: boolean;
  deployable: boolean;
  isDynamic: boolean;
  /** Why `runnable` is false; becomes the 400 message of a trigger. */
  notRunnableReason: string | null;
  runNameTemplate: string;
  pipelineConfiguration: Record<string, unknown>;
  stepConfigurations: Record<string, unknown>;
  configTemplate: Record<string, unknown> | null;
  gitCommit: string | null;
  sourceSnapshotId: string | null;
  clientVersion: string | null;
  serverVersion: string | null;
}

export interface RunRec extends BaseRec, ProjectScoped {
  name: string;
  pipelineId: string | null;
  snapshotId: string | null;
  sourceSnapshotId: string | null;
  stackId: string | null;
  buildId: string | null;
  status: string;
  statusReason: string | null;
  /** Per-pipeline run counter (`body.index`). */
  index: number;
  startTime: Micros | null;
  endTime: Micros | null;
  config: Record<string, unknown>;
  modelVersionId: string | null;
  gitCommit: string | null;
  orchestratorRunId: string | null;
  /** GET /runs/{id} and /runs/{id}/status calls so far. */
  pollCount: number;
  /** Test-driven progression: statuses by poll count (see RunsControl). */
  schedule: { statuses: string[]; polls: number; statusReason: string | null } | null;
}

export interface StepRec extends BaseRec, ProjectScoped {
  runId: string;
  name: string;
  status: string;
  statusReason: string | null;
  startTime: Micros | null;
  endTime: Micros | null;
}
