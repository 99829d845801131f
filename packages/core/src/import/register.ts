/**
 * Registers each copied artifact as an artifact version of the destination server, with the
 * ORIGINAL materializer and data type (so a Python `load()` returns the real object), type,
 * content hash, run metadata and tags. The destination `uri` is unique per bundle and artifact,
 * so it is also the idempotency key: an artifact version already registered at that uri (by an
 * earlier, interrupted run) is reused instead of registering a second one.
 *
 * ZenML keeps no uniqueness on `uri`, so two imports of one bundle running at once can both find
 * nothing and both register. The oldest registration at the uri is the one that counts: every
 * run re-reads the uri after registering and uses the oldest, so they converge on the same
 * version, and a run whose own registration is not the oldest deletes it again.
 */
import { IntegrityError } from '../errors.js';
import type { ManifestArtifact } from '../manifest/index.js';
import { ArtifactVersionResponseSchema, deleteIfPresent, parseResponse, type ArtifactVersionResponse, type ZenmlClient } from '../zenml/index.js';

export interface RegisterItem {
  artifact: ManifestArtifact;
  /** Destination uri: the artifact's folder, or its one file for `singleFile`. */
  uri: string;
  bytes: number;
}

export interface Registered {
  name: string;
  uri: string;
  artifactVersionId: string;
  bytes: number;
  created: boolean;
}

/** The artifact versions registered at `uri` for artifact `name`, oldest first. */
async function registeredAt(client: ZenmlClient, projectId: string, name: string, uri: string): Promise<ArtifactVersionResponse[]> {
  const query = { project: projectId, uri: `equals:${uri}`, size: 20 };
  const found: ArtifactVersionResponse[] = [];
  for await (const av of client.paginate('/api/v1/artifact_versions', query, ArtifactVersionResponseSchema)) {
    if (av.body?.uri !== uri) continue; // a server that ignored the filter
    if (av.body.artifact.name !== name) {
      throw new IntegrityError(
        `The destination already has artifact '${av.body.artifact.name}' (version ${av.id}) registered at ${uri}, where this bundle puts artifact '${name}'.`,
      );
    }
    found.push(av);
  }
  return found.sort(olderFirst);
}

/** Versions of one artifact are numbered in the order they were created; `created` otherwise. */
function olderFirst(a: ArtifactVersionResponse, b: ArtifactVersionResponse): number {
  const [na, nb] = [Number(a.body?.version), Number(b.body?.version)];
  if (Number.isInteger(na) && Number.isInteger(nb) && na !== nb) return na - nb;
  const created = (v: ArtifactVersionResponse): string => String((v.body as { created?: unknown } | undefined)?.created ?? '');
  return created(a).localeCompare(created(b)) || a.id.localeCompare(b.id);
}

/** The artifact version registered at `uri` for artifact `name` (the oldest, if several), if any. */
export async function findArtifactVersionByUri(
  client: ZenmlClient,
  projectId: string,
  name: string,
  uri: string,
): Promise<ArtifactVersionResponse | undefined> {
  return (await registeredAt(client, projectId, name, uri))[0];
}

/** The metadata the new artifact version carries: the original run metadata plus where it came from. */
export function artifactMetadata(a: ManifestArtifact): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a.runMetadata)) if (v !== null && v !== undefined) out[k] = v;
  out['source_artifact_version_id'] = a.artifactVersionId;
  out['source_artifact_version'] = a.version;
  out['source_uri'] = a.uri;
  return out;
}

export async function registerArtifact(
  client: ZenmlClient,
  ctx: { projectId: string; artifactStoreId: string },
  item: RegisterItem,
): Promise<Registered> {
  const { artifact: a, uri, bytes } = item;
  const existing = await findArtifactVersionByUri(client, ctx.projectId, a.name, uri);
  if (existing) return { name: a.name, uri, artifactVersionId: existing.id, bytes, created: false };
  const { data } = await client.api.POST('/api/v1/artifact_versions', {
    body: {
      project: ctx.projectId,
      artifact_name: a.name,
      has_custom_name: true,
      type: a.type,
      uri,
      artifact_store_id: ctx.artifactStoreId,
      materializer: a.materializer,
      data_type: a.dataType,
      save_type: 'preexisting',
      ...(a.contentHash ? { content_hash: a.contentHash } : {}),
      tags: a.tags,
      metadata: artifactMetadata(a),
    },
  });
  const av = parseResponse(ArtifactVersionResponseSchema, data, 'POST /api/v1/artifact_versions');
  // A concurrent import may have registered the same uri meanwhile: the oldest wins (module comment).
  const oldest = (await registeredAt(client, ctx.projectId, a.name, uri))[0] ?? av;
  if (oldest.id !== av.id) {
    await deleteIfPresent(client, 'artifact_version', av.id);
    return { name: a.name, uri, artifactVersionId: oldest.id, bytes, created: false };
  }
  return { name: a.name, uri, artifactVersionId: av.id, bytes, created: true };
}
