/**
 * `exportModel`: one model version of the source server → a content-addressed bundle in the
 * exchange, `<model>/<bundle-digest>/`, manifest written last.
 *
 *   resolve → plan (and validate a provisional manifest) → [dry run: stop]
 *   → every file known without reading bytes (all gs→gs)? digest now, copy straight into the bundle
 *   → else: a bundle of this version already there? hash the sources (no writes): same digest → done
 *   → else: stream into `<model>/.staging/<mv id>/`, digest, move into the bundle, manifest, clear staging
 */
import { InputError } from '../errors.js';
import { mapLimit } from '../exchange/map-limit.js';
import type { ExchangeStore } from '../exchange/types.js';
import { bundlePrefix, manifestKey, stagingPrefix } from '../manifest/layout.js';
import type { Manifest, ManifestArtifact } from '../manifest/schema.js';
import type { ZenmlClient } from '../zenml/client.js';
import type { Model, Project, ServerInfo } from '../zenml/entities.js';
import { modelVersionTags, runMetadata, type ModelVersionResponse } from '../zenml/schemas.js';
import { bundleDigestOf, buildManifest, manifestArtifact, splitRunMetadata, type ArtifactFiles, type VersionFacts } from './build-manifest.js';
import { bundlesOfVersion, clearStaging, placeStaged, readManifest, writeManifest } from './bundle.js';
import { planLines } from './plan.js';
import { earlierHops } from './promotion-chain.js';
import { resolveModel, resolveModelVersion, resolveProject } from './resolve.js';
import { commitFromMetadata, findProducingRun, listLinkedArtifacts, selectArtifacts, type RunFacts } from './source-facts.js';
import { openStoreArtifact } from './store-source.js';
import { copiesServerSide, copyRecord, fileKey, transferArtifacts, type PlannedArtifact, type TransferContext, type TransferStats } from './transfer.js';
import { ARTIFACT_SOURCES, type ExportRequest, type ExportResult } from './types.js';

const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;

function versionFacts(
  client: ZenmlClient,
  server: ServerInfo,
  project: Project,
  model: Model,
  mv: ModelVersionResponse,
  run: RunFacts | undefined,
  log: (line: string) => void,
): VersionFacts {
  const all = runMetadata(mv);
  const { metrics, metadata } = splitRunMetadata(all);
  const number = mv.body?.number ?? 0;
  const created = (mv.body as { created?: unknown } | null | undefined)?.created;
  const gitCommit = run?.gitCommit ?? commitFromMetadata(all);
  return {
    model: {
      name: model.name,
      versionName: mv.name ?? String(number),
      versionNumber: number,
      stage: mv.body?.stage ?? null,
      description: mv.metadata?.description ?? null,
      // Sorted: the digest covers them, and a server may list them in any order.
      tags: [...modelVersionTags(mv)].sort(),
    },
    source: {
      serverUrl: client.serverUrl,
      serverId: server.id,
      serverVersion: server.version,
      project: project.name,
      projectId: project.id,
      modelId: model.id,
      modelVersionId: mv.id,
      ...(run ? { pipelineRunId: run.id, pipelineRunName: run.name } : {}),
      ...(run?.url ? { pipelineRunUrl: run.url } : {}),
      ...(gitCommit ? { gitCommit } : {}),
      trainingDate: typeof created === 'string' && created ? created : 'unknown',
    },
    metrics,
    metadata,
    earlierHops: earlierHops(all, log),
    projectName: project.name,
  };
}

/** The files' records when every one is known without reading bytes (gs→gs copies); else undefined. */
function recordsWithoutReading(planned: PlannedArtifact[], exchange: ExchangeStore): ArtifactFiles[] | undefined {
  if (!planned.every((p) => p.store && p.store.files.every((f) => copiesServerSide(p.store!, f, exchange)))) return undefined;
  return planned.map((p) => ({ facts: p.facts, singleFile: p.store!.singleFile, files: p.store!.files.map(copyRecord) }));
}

/** What a dry run shows and validates: files without the digests only reading would give. */
function provisional(planned: PlannedArtifact[], exchange: ExchangeStore): ManifestArtifact[] {
  return planned.map((p) =>
    manifestArtifact({
      facts: p.facts,
      singleFile: p.store?.singleFile ?? false,
      files: (p.store?.files ?? []).map((f) => (copiesServerSide(p.store!, f, exchange) ? copyRecord(f) : { path: f.path, size: f.size })),
    }),
  );
}

/** An existing bundle that could be this export's: same version, same artifacts, same file paths and sizes. */
function sameShape(m: Manifest, planned: PlannedArtifact[]): boolean {
  if (m.artifacts.length !== planned.length) return false;
  for (const p of planned) {
    const a = m.artifacts.find((x) => x.artifactVersionId === p.facts.id && x.name === p.facts.name);
    if (!a) return false;
    if (p.store) {
      const mine = p.store.files.map((f) => `${f.path}\0${f.size}`).sort();
      const theirs = a.files.map((f) => `${f.path}\0${f.size}`).sort();
      if (mine.length !== theirs.length || mine.some((x, i) => x !== theirs[i])) return false;
    }
  }
  return true;
}

function bytesOf(m: Manifest): number {
  return m.artifacts.reduce((n, a) => n + a.files.reduce((k, f) => k + f.size, 0), 0);
}

function fileCount(m: Manifest): number {
  return m.artifacts.reduce((n, a) => n + a.files.length, 0);
}

export async function exportModel(client: ZenmlClient, req: ExportRequest): Promise<ExportResult> {
  const { exchange, log } = req;
  if (!ARTIFACT_SOURCES.includes(req.artifactSource)) {
    throw new InputError('artifact-source', `must be one of ${ARTIFACT_SOURCES.join(', ')}, got '${String(req.artifactSource)}'.`);
  }

  // ---- resolve
  const project = await resolveProject(client, req.project);
  const model = await resolveModel(client, project, req.model);
  const mv = await resolveModelVersion(client, project, model, req.version);
  const server = await client.serverInfo();
  const selected = selectArtifacts(await listLinkedArtifacts(client, project.id, mv.id), req.artifacts, log);
  const run = await findProducingRun(client, mv.id, selected, server);
  const facts = versionFacts(client, server, project, model, mv, run, log);
  const planned: PlannedArtifact[] =
    req.artifactSource === 'store'
      ? await mapLimit(selected, 4, async (a) => ({ facts: a, store: await openStoreArtifact(a, req.storage) }))
      : selected.map((a) => ({ facts: a }));

  // ---- plan; a manifest that would not validate fails here, before any byte moves
  const known = recordsWithoutReading(planned, exchange);
  const knownDigest = known && bundleDigestOf(facts, known.map(manifestArtifact));
  const plannedManifest = buildManifest(facts, provisional(planned, exchange), knownDigest ?? PLACEHOLDER_DIGEST, req.run);
  const destination = knownDigest
    ? `${exchange.uri}/${bundlePrefix(model.name, knownDigest)}/`
    : `${exchange.uri}/${bundlePrefix(model.name, '<bundle-digest>')}/ (the digest is computed from the files as they are copied)`;
  for (const line of planLines(facts, planned, exchange, destination)) log(line);

  const base = { modelVersionId: mv.id, dryRun: req.dryRun };
  const stats: TransferStats = { filesWritten: 0, filesSkipped: 0, serverSideCopies: 0 };
  const complete = (manifest: Manifest, written: boolean): ExportResult => {
    const uri = `${exchange.uri}/${manifestKey(model.name, manifest.bundleDigest)}`;
    log(written ? `Bundle written: ${uri}` : `An identical bundle is already complete at ${uri}: nothing rewritten.`);
    return {
      ...base,
      manifest,
      manifestUri: uri,
      bundleDigest: manifest.bundleDigest,
      artifactCount: manifest.artifacts.length,
      bytes: bytesOf(manifest),
      written,
      filesWritten: written ? stats.filesWritten : 0,
      filesSkipped: written ? stats.filesSkipped : fileCount(manifest),
      serverSideCopies: stats.serverSideCopies,
    };
  };

  // ---- dry run: reads only
  if (req.dryRun) {
    if (knownDigest && (await exchange.exists(manifestKey(model.name, knownDigest)))) {
      log('An identical bundle is already complete there: the export would write nothing.');
    } else if (!knownDigest) {
      const similar = (await bundlesOfVersion(exchange, model.name, mv.id)).filter((m) => sameShape(m, planned));
      for (const m of similar) {
        log(`A bundle of this version with the same files exists at ${exchange.uri}/${bundlePrefix(model.name, m.bundleDigest)}/; the export would check it against the source and write nothing if it matches.`);
      }
    }
    log('Dry run: nothing was written.');
    return {
      ...base,
      manifest: plannedManifest,
      manifestUri: knownDigest ? `${exchange.uri}/${manifestKey(model.name, knownDigest)}` : '',
      bundleDigest: knownDigest ?? '',
      artifactCount: planned.length,
      bytes: plannedManifest.artifacts.reduce((n, a) => n + a.files.reduce((k, f) => k + f.size, 0), 0),
      written: false,
      filesWritten: 0,
      filesSkipped: 0,
      serverSideCopies: 0,
    };
  }

  const ctx: TransferContext = { client, exchange, log, stats };
  const staging = stagingPrefix(model.name, mv.id);

  // ---- every record known up front: copy straight into the bundle
  if (known && knownDigest) {
    const key = manifestKey(model.name, knownDigest);
    const existing = await readManifest(exchange, key);
    if (existing) return complete(existing, false);
    const copied = await transferArtifacts(ctx, planned, { kind: 'exchange', prefix: bundlePrefix(model.name, knownDigest), final: true }, 'Copying');
    const manifest = buildManifest(facts, copied.map(manifestArtifact), knownDigest, req.run);
    const w = await writeManifest(exchange, key, manifest);
    await clearStaging(exchange, staging);
    return complete(w.manifest, w.written);
  }

  // ---- a bundle of this version already there? Check by reading the sources, writing nothing.
  const similar = (await bundlesOfVersion(exchange, model.name, mv.id)).filter((m) => sameShape(m, planned));
  if (similar.length) {
    log(`A bundle of this version is already in the exchange; checking that the source still matches it (reading only).`);
    const hashed = await transferArtifacts(ctx, planned, { kind: 'hash' }, 'Verifying');
    const digest = bundleDigestOf(facts, hashed.map(manifestArtifact));
    const existing = await readManifest(exchange, manifestKey(model.name, digest));
    if (existing) {
      await clearStaging(exchange, staging);
      return complete(existing, false);
    }
    log('The source differs from the bundle(s) already there: exporting a new bundle.');
  }

  // ---- stage, digest, place, manifest last
  const staged = await transferArtifacts(ctx, planned, { kind: 'exchange', prefix: staging, final: false }, 'Copying');
  const artifacts = staged.map(manifestArtifact);
  const digest = bundleDigestOf(facts, artifacts);
  const key = manifestKey(model.name, digest);
  const existing = await readManifest(exchange, key);
  if (existing) {
    await clearStaging(exchange, staging);
    return complete(existing, false);
  }
  const target = bundlePrefix(model.name, digest);
  const moves = staged.flatMap((a) => a.files.map((f) => ({ from: fileKey(staging, a.facts.name, f.path), to: fileKey(target, a.facts.name, f.path) })));
  await placeStaged(exchange, moves, stats);
  const manifest = buildManifest(facts, artifacts, digest, req.run);
  const w = await writeManifest(exchange, key, manifest);
  await clearStaging(exchange, staging);
  return complete(w.manifest, w.written);
}
