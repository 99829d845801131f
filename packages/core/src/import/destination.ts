/**
 * Where the import goes: the destination project, and the artifact store whose path the files
 * are copied under (given by name or id; else the store of the stack zenml-login resolved; else
 * the store of the server's `default` stack). Read-only: resolving a destination writes nothing.
 */
import { isAbsolute } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { InputError } from '../errors.js';
import { openExchange, type ExchangeStore } from '../exchange/index.js';
import { digestHex, keySegment } from '../manifest/index.js';
import type { Component, Project, ZenmlClient } from '../zenml/index.js';

/** Files land under `<store path>/imported/<model>/<digest hex>/<artifact>/…`. */
export const IMPORTED_DIR = 'imported';

export interface Destination {
  project: Project;
  artifactStore: Component;
  /** The store's `configuration.path`, without a trailing slash. */
  storePath: string;
  store: ExchangeStore;
}

export async function resolveProject(client: ZenmlClient, project: string): Promise<Project> {
  if (!project?.trim()) throw new InputError('project', 'is empty: name the destination project.');
  const found = await client.findProject(project.trim());
  if (!found) throw new InputError('project', `no project '${project}' on ${client.serverUrl}.`);
  return found;
}

export async function resolveArtifactStore(
  client: ZenmlClient,
  req: { artifactStore?: string | undefined; stackId?: string | undefined },
): Promise<Component> {
  if (req.artifactStore?.trim()) {
    const c = await client.findComponent('artifact_store', req.artifactStore.trim());
    if (!c) throw new InputError('artifact-store', `no artifact store component '${req.artifactStore}' on ${client.serverUrl}.`);
    return hydrated(client, c);
  }
  const [stackRef, input] = req.stackId?.trim() ? [req.stackId.trim(), 'stack'] : ['default', 'artifact-store'];
  const stack = await client.findStack(stackRef);
  if (!stack) {
    throw new InputError(
      input,
      input === 'stack'
        ? `the active stack ${stackRef} (ZENML_ACTIVE_STACK_ID) does not exist on ${client.serverUrl}.`
        : `not set, and the server has no 'default' stack to take the artifact store from: name the artifact store.`,
    );
  }
  const first = stack.components['artifact_store']?.[0];
  if (!first) throw new InputError('artifact-store', `not set, and stack '${stack.name}' has no artifact store: name one.`);
  return hydrated(client, first);
}

/** Stack responses may nest unhydrated components: fetch the store itself for its path. */
async function hydrated(client: ZenmlClient, c: Component): Promise<Component> {
  if (c.path !== undefined) return c;
  const full = await client.findComponent('artifact_store', c.id);
  if (!full) throw new InputError('artifact-store', `artifact store ${c.name} (${c.id}) could not be read from ${client.serverUrl}.`);
  return full;
}

/** The store's path as an exchange URI: a local absolute path or gs://. Others are refused. */
export function storePathOf(c: Component): string {
  const path = (c.path ?? '').trim().replace(/(?<=.)\/+$/, '');
  if (!path) throw new InputError('artifact-store', `artifact store '${c.name}' has no configuration.path.`);
  if (path.startsWith('gs://') || path.startsWith('file://') || isAbsolute(path)) return path;
  throw new InputError(
    'artifact-store',
    `artifact store '${c.name}' is at '${path}'; import-model copies into local or gs:// artifact stores only.`,
  );
}

export async function resolveDestination(
  client: ZenmlClient,
  req: { project: string; artifactStore?: string | undefined; stackId?: string | undefined; storage?: unknown },
): Promise<Destination> {
  const project = await resolveProject(client, req.project);
  const artifactStore = await resolveArtifactStore(client, req);
  const storePath = storePathOf(artifactStore);
  const store = await openExchange(storePath, req.storage === undefined ? {} : { storage: req.storage as Storage });
  return { project, artifactStore, storePath, store };
}

/** Folder of one artifact in the destination store, relative to the store's path. */
export function artifactDestDir(model: string, bundleDigest: string, artifactName: string): string {
  return `${IMPORTED_DIR}/${keySegment(model)}/${digestHex(bundleDigest)}/${keySegment(artifactName)}`;
}

/** What ZenML records as the artifact's `uri`: the store path joined with a relative key. */
export function storeUri(storePath: string, key: string): string {
  return `${storePath.replace(/\/+$/, '')}/${key}`;
}
