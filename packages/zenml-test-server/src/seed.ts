/**
 * The Seeder: creates data through the same store and domain rules the routes
 * use, and returns the new entities' ids. References to projects, models and
 * pipelines accept a name or an id; `project` defaults to `default`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeApiKey } from './auth.js';
import { createArtifactVersion, linkArtifactVersion, linkPipelineRun, sourceFromImportPath } from './domain/artifacts.js';
import type { ModelStage } from './domain/models.js';
import { createModel, createModelVersion, setStage } from './domain/models.js';
import { advanceRun, createRun, setStepStatus } from './domain/runs.js';
import { createSnapshot } from './domain/snapshots.js';
import { createBuild, createComponent, createPipeline, createStack } from './domain/stacks.js';
import type { MetadataResourceType, ProjectRec, SourceObj, UserRec } from './store/records.js';
import type { Store } from './store/store.js';
import { inferMetadataType, isUuid, normalizeUuid } from './store/store.js';

/** What Python's register_artifact() sends (API.md §4.3). */
const PREEXISTING_MATERIALIZER: SourceObj = {
  module: 'zenml.artifacts.preexisting_data_materializer',
  attribute: 'PreexistingDataMaterializer',
  type: 'internal',
};

export interface SeededStack {
  id: string;
  orchestratorId: string;
  artifactStoreId: string;
  /** Set when the stack was seeded with `containerRegistry: true`. */
  containerRegistryId: string | null;
  /** The artifact store's `configuration.path`. */
  artifactStorePath: string;
}

export interface Seeder {
  project(o: { name: string; displayName?: string; description?: string }): string;
  /** A stack with an orchestrator and an artifact store (path: a fresh temp dir unless given). */
  stack(o: {
    name: string;
    artifactStorePath?: string;
    artifactStoreFlavor?: string;
    orchestratorFlavor?: string;
    containerRegistry?: boolean;
  }): SeededStack;
  model(o: { project?: string; name: string; tags?: string[]; description?: string; license?: string }): string;
  /** `stage` follows the server rule (occupied stage → error) unless `force`. */
  modelVersion(o: {
    project?: string;
    model: string;
    name?: string;
    stage?: ModelStage;
    force?: boolean;
    description?: string;
    tags?: string[];
    runMetadata?: Record<string, unknown>;
  }): string;
  artifactVersion(o: {
    project?: string;
    name: string;
    uri: string;
    /** Default `DataArtifact`, like Python's register_artifact(). */
    type?: string;
    /** A Source object or a dotted import path; default PreexistingDataMaterializer. */
    materializer?: string | SourceObj;
    /** Default `pathlib.Path` (builtin). */
    dataType?: string | SourceObj;
    artifactStoreId?: string;
    contentHash?: string;
    runMetadata?: Record<string, unknown>;
    version?: string;
    tags?: string[];
    saveType?: string;
    hasCustomName?: boolean;
  }): string;
  /** Links an artifact version to a model version (idempotent); returns the link id. */
  link(modelVersionId: string, artifactVersionId: string): string;
  pipeline(o: { project?: string; name: string; description?: string; tags?: string[] }): string;
  /** `stackId` takes a stack id or name (here and in pipelineRun/snapshot). */
  build(o: { project?: string; pipeline?: string; stackId?: string; isLocal?: boolean }): string;
  /** A run; with `modelVersion` it is also linked through model_version_pipeline_runs. */
  pipelineRun(o: {
    project?: string;
    pipeline: string;
    name?: string;
    status?: string;
    statusReason?: string;
    gitCommit?: string;
    modelVersion?: string;
    stackId?: string;
    snapshotId?: string;
    runMetadata?: Record<string, unknown>;
    steps?: Record<string, string>;
    tags?: string[];
  }): string;
  snapshot(o: {
    project?: string;
    pipeline: string;
    stackId: string;
    runnable: boolean;
    name?: string;
    buildId?: string;
    description?: string;
    tags?: string[];
    gitCommit?: string;
    /** The 400 message a trigger gets when `runnable` is false. */
    notRunnableReason?: string;
    configTemplate?: Record<string, unknown>;
    replace?: boolean;
  }): string;
  tag(o: { name: string; color?: string; exclusive?: boolean }): string;
  /** Appends run metadata to any metadata target. */
  runMetadata(resourceType: MetadataResourceType, resourceId: string, values: Record<string, unknown>): void;
  /** A service account (no key); createApiKey creates one too when missing. */
  serviceAccount(name: string): string;
}

export function createSeeder(store: Store, ownedDirs: string[]): Seeder & {
  apiKey(serviceAccountName: string, prefix?: string): string;
  defaultData(): { apiKey: string };
} {
  const adminId = (): string | null => {
    for (const u of store.users.values()) if (u.name === 'default') return u.id;
    return null;
  };
  const project = (ref: string | undefined): ProjectRec => store.mustProject(ref ?? 'default');
  const pipelineId = (projectId: string, ref: string): string => {
    if (isUuid(ref) && store.pipelines.has(normalizeUuid(ref))) return normalizeUuid(ref);
    for (const p of store.pipelines.values()) if (p.projectId === projectId && p.name === ref) return p.id;
    throw new Error(`zenml-test-server seed: no pipeline '${ref}'`);
  };
  const stackId = (ref: string | undefined): string | undefined => {
    if (ref === undefined) return undefined;
    if (isUuid(ref) && store.stacks.has(normalizeUuid(ref))) return normalizeUuid(ref);
    for (const st of store.stacks.values()) if (st.name === ref) return st.id;
    throw new Error(`zenml-test-server seed: no stack '${ref}'`);
  };
  const source = (s: string | SourceObj): SourceObj => (typeof s === 'string' ? sourceFromImportPath(s) : s);
  const metadata = (type: MetadataResourceType, id: string, projectId: string, values: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(values ?? {})) {
      store.appendMetadata({
        projectId,
        userId: adminId(),
        resourceId: id,
        resourceType: type,
        key,
        value,
        type: inferMetadataType(value),
        stackComponentId: null,
        publisherStepId: null,
      });
    }
  };
  const serviceAccount = (name: string): UserRec => {
    for (const u of store.users.values()) if (u.name === name) return u;
    const sa: UserRec = {
      ...store.base(null),
      name,
      fullName: '',
      active: true,
      isServiceAccount: true,
      isAdmin: false,
      email: null,
      defaultProjectId: null,
      password: null,
      description: 'created by the zenml test server',
    };
    store.users.set(sa.id, sa);
    return sa;
  };

  const seeder = {
    project(o: { name: string; displayName?: string; description?: string }): string {
      const rec: ProjectRec = { ...store.base(adminId()), name: o.name, displayName: o.displayName ?? o.name, description: o.description ?? '' };
      store.projects.set(rec.id, rec);
      return rec.id;
    },
    stack(o: { name: string; artifactStorePath?: string; artifactStoreFlavor?: string; orchestratorFlavor?: string; containerRegistry?: boolean }): SeededStack {
      let path = o.artifactStorePath;
      if (path === undefined) {
        path = mkdtempSync(join(tmpdir(), 'zenml-test-server-'));
        ownedDirs.push(path);
      }
      const user = adminId();
      const orchestrator = createComponent(store, { name: o.name, type: 'orchestrator', flavor: o.orchestratorFlavor ?? 'local' }, user);
      const artifactStore = createComponent(
        store,
        { name: o.name, type: 'artifact_store', flavor: o.artifactStoreFlavor ?? 'local', configuration: { path } },
        user,
      );
      const components: Record<string, string[]> = { orchestrator: [orchestrator.id], artifact_store: [artifactStore.id] };
      let registryId: string | null = null;
      if (o.containerRegistry) {
        const registry = createComponent(
          store,
          { name: o.name, type: 'container_registry', flavor: 'default', configuration: { uri: 'registry.example.com/zenml' } },
          user,
        );
        components['container_registry'] = [registry.id];
        registryId = registry.id;
      }
      const stack = createStack(store, { name: o.name, components }, user);
      return { id: stack.id, orchestratorId: orchestrator.id, artifactStoreId: artifactStore.id, containerRegistryId: registryId, artifactStorePath: path };
    },
    model(o: { project?: string; name: string; tags?: string[]; description?: string; license?: string }): string {
      const p = project(o.project);
      return createModel(store, { projectId: p.id, name: o.name, tags: o.tags, description: o.description, license: o.license }, adminId()).id;
    },
    modelVersion(o: {
      project?: string;
      model: string;
      name?: string;
      stage?: ModelStage;
      force?: boolean;
      description?: string;
      tags?: string[];
      runMetadata?: Record<string, unknown>;
    }): string {
      const p = project(o.project);
      const model = store.modelByNameOrId(p.id, o.model);
      if (!model) throw new Error(`zenml-test-server seed: no model '${o.model}' in project '${p.name}'`);
      const mv = createModelVersion(
        store,
        { projectId: p.id, modelId: model.id, name: o.name, description: o.description, tags: o.tags, stage: o.force ? undefined : o.stage },
        adminId(),
      );
      if (o.force && o.stage) setStage(store, mv, o.stage, true);
      metadata('model_version', mv.id, p.id, o.runMetadata);
      return mv.id;
    },
    artifactVersion(o: {
      project?: string;
      name: string;
      uri: string;
      type?: string;
      materializer?: string | SourceObj;
      dataType?: string | SourceObj;
      artifactStoreId?: string;
      contentHash?: string;
      runMetadata?: Record<string, unknown>;
      version?: string;
      tags?: string[];
      saveType?: string;
      hasCustomName?: boolean;
    }): string {
      const p = project(o.project);
      const av = createArtifactVersion(
        store,
        {
          projectId: p.id,
          artifactName: o.name,
          uri: o.uri,
          type: o.type ?? 'DataArtifact',
          materializer: source(o.materializer ?? PREEXISTING_MATERIALIZER),
          dataType: source(o.dataType ?? { module: 'pathlib', attribute: 'Path', type: 'builtin' }),
          saveType: o.saveType ?? 'preexisting',
          artifactStoreId: o.artifactStoreId,
          contentHash: o.contentHash,
          version: o.version,
          tags: o.tags,
          hasCustomName: o.hasCustomName ?? true,
          metadata: o.runMetadata,
        },
        adminId(),
      );
      return av.id;
    },
    link(modelVersionId: string, artifactVersionId: string): string {
      return linkArtifactVersion(store, modelVersionId, artifactVersionId, adminId()).id;
    },
    pipeline(o: { project?: string; name: string; description?: string; tags?: string[] }): string {
      const p = project(o.project);
      return createPipeline(store, { projectId: p.id, name: o.name, description: o.description, tags: o.tags }, adminId()).id;
    },
    build(o: { project?: string; pipeline?: string; stackId?: string; isLocal?: boolean }): string {
      const p = project(o.project);
      return createBuild(
        store,
        { projectId: p.id, pipelineId: o.pipeline ? pipelineId(p.id, o.pipeline) : undefined, stackId: stackId(o.stackId), isLocal: o.isLocal },
        adminId(),
      ).id;
    },
    pipelineRun(o: {
      project?: string;
      pipeline: string;
      name?: string;
      status?: string;
      statusReason?: string;
      gitCommit?: string;
      modelVersion?: string;
      stackId?: string;
      snapshotId?: string;
      runMetadata?: Record<string, unknown>;
      steps?: Record<string, string>;
      tags?: string[];
    }): string {
      const p = project(o.project);
      const run = createRun(
        store,
        {
          projectId: p.id,
          pipelineId: pipelineId(p.id, o.pipeline),
          name: o.name,
          status: o.status ?? 'completed',
          statusReason: o.statusReason,
          gitCommit: o.gitCommit,
          modelVersionId: o.modelVersion,
          stackId: stackId(o.stackId),
          snapshotId: o.snapshotId,
          tags: o.tags,
        },
        adminId(),
      );
      for (const [name, status] of Object.entries(o.steps ?? {})) setStepStatus(store, run, name, status);
      if (o.steps) advanceRun(store, run, run.status);
      if (o.modelVersion) linkPipelineRun(store, o.modelVersion, run.id, adminId());
      metadata('pipeline_run', run.id, p.id, o.runMetadata);
      return run.id;
    },
    snapshot(o: {
      project?: string;
      pipeline: string;
      stackId: string;
      runnable: boolean;
      name?: string;
      buildId?: string;
      description?: string;
      tags?: string[];
      gitCommit?: string;
      notRunnableReason?: string;
      configTemplate?: Record<string, unknown>;
      replace?: boolean;
    }): string {
      const p = project(o.project);
      return createSnapshot(
        store,
        {
          projectId: p.id,
          pipelineId: pipelineId(p.id, o.pipeline),
          stackId: stackId(o.stackId) ?? '',
          buildId: o.buildId,
          name: o.name,
          runnable: o.runnable,
          description: o.description,
          tags: o.tags,
          gitCommit: o.gitCommit,
          notRunnableReason: o.notRunnableReason,
          configTemplate: o.configTemplate,
          replace: o.replace,
        },
        adminId(),
      ).id;
    },
    tag(o: { name: string; color?: string; exclusive?: boolean }): string {
      if (store.tagByName(o.name)) throw new Error(`zenml-test-server seed: tag '${o.name}' exists`);
      const tag = store.ensureTag(o.name, adminId());
      if (o.color) tag.color = o.color;
      tag.exclusive = o.exclusive ?? false;
      return tag.id;
    },
    runMetadata(resourceType: MetadataResourceType, resourceId: string, values: Record<string, unknown>): void {
      metadata(resourceType, resourceId, project(undefined).id, values);
    },
    serviceAccount(name: string): string {
      return serviceAccount(name).id;
    },
    apiKey(serviceAccountName: string, prefix?: string): string {
      const sa = serviceAccount(serviceAccountName);
      const n = [...store.apiKeys.values()].filter((k) => k.serviceAccountId === sa.id).length + 1;
      const secret = randomBytes(32).toString('hex');
      const base = store.base(adminId());
      store.apiKeys.set(base.id, { ...base, name: `${sa.name}-key-${n}`, serviceAccountId: sa.id, secret, active: true, lastLogin: null });
      return encodeApiKey(base.id, secret, prefix);
    },
    /** The default seed: admin `default`, project `default`, stack `default`, service account `ci-bot` + key. */
    defaultData(): { apiKey: string } {
      const admin: UserRec = {
        ...store.base(null),
        name: 'default',
        fullName: '',
        active: true,
        isServiceAccount: false,
        isAdmin: true,
        email: null,
        defaultProjectId: null,
        password: '',
        description: null,
      };
      store.users.set(admin.id, admin);
      const projectId = seeder.project({ name: 'default' });
      admin.defaultProjectId = projectId;
      seeder.stack({ name: 'default' });
      return { apiKey: seeder.apiKey('ci-bot') };
    },
  };
  return seeder;
}
