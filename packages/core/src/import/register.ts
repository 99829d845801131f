/**
 * Registers each copied artifact as an artifact version of the destination server, with the
 * ORIGINAL materializer and data type (so a Python `load()` returns the real object), type,
 * content hash, run metadata and tags. The destination `uri` is unique per bundle and artifact,
 * so it is also the idempotency key: an artifact version already registered at that uri (by an
 * earlier, interrupted run) is reused instead of registering a second one.
 */
import { IntegrityError } from '../errors.js';
import type { ManifestArtifact } from '../manifest/index.js';
import { ArtifactVersionResponseSchema, parseResponse, type ArtifactVersionResponse, type ZenmlClient } from '../zenml/index.js';

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

/** The artifact version registered at `uri` for artifact `name`, if any. */
export async function findArtifactVersionByUri(
  client: ZenmlClient,
  projectId: string,
  name: string,
  uri: string,
): Promise<ArtifactVersionResponse | undefined> {
  const query = { project: projectId, uri: `equals:${uri}`, size: 20 };
  for await (const av of client.paginate('/api/v1/artifact_versions', query, ArtifactVersionResponseSchema)) {
    if (av.body?.uri !== uri) continue; // a server that ignored the filter
    if (av.body.artifact.name !== name) {
      throw new IntegrityError(
        `The destination already has artifact '${av.body.artifact.name}' (version ${av.id}) registered at ${uri}, where this bundle puts artifact '${name}'.`,
      );
    }
    return av;
  }
  return undefined;
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
  return { name: a.name, uri, artifactVersionId: av.id, bytes, created: true };
}
