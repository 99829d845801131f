/** Stack components, stacks, pipelines and builds: created by the seeder (and pipelines/builds by REST). */
import { zenError, entityExists } from '../errors.js';
import type { BuildImage, BuildRec, ComponentRec, PipelineRec, StackRec } from '../store/records.js';
import type { Store } from '../store/store.js';

export interface ComponentInput {
  name: string;
  type: string;
  flavor: string;
  integration?: string;
  configuration?: Record<string, unknown>;
}

export function createComponent(store: Store, input: ComponentInput, userId: string | null): ComponentRec {
  for (const c of store.components.values()) {
    if (c.type === input.type && c.name === input.name) {
      throw zenError(409, 'StackComponentExistsError', `Unable to register '${input.type}' component with name '${input.name}': Found an existing component with the same name and type in the same workspace.`);
    }
  }
  const rec: ComponentRec = {
    ...store.base(userId),
    name: input.name,
    type: input.type,
    flavor: input.flavor,
    integration: input.integration ?? 'built-in',
    configuration: input.configuration ?? {},
    labels: null,
  };
  store.components.set(rec.id, rec);
  return rec;
}

export function createStack(
  store: Store,
  input: { name: string; description?: string; components: Record<string, string[]> },
  userId: string | null,
): StackRec {
  for (const s of store.stacks.values()) {
    if (s.name === input.name) {
      throw zenError(409, 'StackExistsError', `Unable to register stack with name '${input.name}': Found an existing stack with the same name.`);
    }
  }
  const rec: StackRec = { ...store.base(userId), name: input.name, description: input.description ?? '', components: input.components };
  store.stacks.set(rec.id, rec);
  return rec;
}

export function createPipeline(
  store: Store,
  input: { projectId: string; name: string; description?: string | undefined; tags?: string[] | undefined },
  userId: string | null,
): PipelineRec {
  for (const p of store.pipelines.values()) {
    if (p.projectId === input.projectId && p.name === input.name) {
      throw entityExists(`Unable to create pipeline ${input.name}: A pipeline with this name already exists.`);
    }
  }
  const rec: PipelineRec = { ...store.base(userId), projectId: input.projectId, name: input.name, description: input.description ?? null };
  store.pipelines.set(rec.id, rec);
  store.applyTagNames('pipeline', rec.id, input.tags, undefined, userId);
  return rec;
}

export interface BuildInput {
  projectId: string;
  pipelineId?: string | undefined;
  stackId?: string | undefined;
  isLocal?: boolean | undefined;
  containsCode?: boolean | undefined;
  images?: Record<string, BuildImage> | undefined;
  zenmlVersion?: string | undefined;
  pythonVersion?: string | undefined;
  checksum?: string | undefined;
  stackChecksum?: string | undefined;
  duration?: number | undefined;
}

export function createBuild(store: Store, input: BuildInput, userId: string | null): BuildRec {
  const rec: BuildRec = {
    ...store.base(userId),
    projectId: input.projectId,
    pipelineId: input.pipelineId ?? null,
    stackId: input.stackId ?? null,
    images: input.images ?? {
      orchestrator: {
        image: 'registry.example.com/zenml:test-server',
        dockerfile: null,
        requirements: null,
        settings_checksum: null,
        contains_code: true,
        requires_code_download: false,
      },
    },
    isLocal: input.isLocal ?? false,
    containsCode: input.containsCode ?? true,
    zenmlVersion: input.zenmlVersion ?? null,
    pythonVersion: input.pythonVersion ?? '3.11',
    checksum: input.checksum ?? null,
    stackChecksum: input.stackChecksum ?? null,
    duration: input.duration ?? null,
  };
  store.builds.set(rec.id, rec);
  return rec;
}
