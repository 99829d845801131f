/**
 * `importModel`: one promotion bundle into the destination ZenML server, in steps that are each
 * idempotent, so that a run killed between any two of them and then re-run ends in the same
 * state as an uninterrupted one:
 *
 *   verify  the manifest and every file's path, size and store checksum (nothing written yet),
 *           while the destination project and artifact store are looked up (read-only)
 *   copy    the files into the destination artifact store, sha256-verified while streaming
 *   register each artifact as an artifact version (found again by its unique uri)
 *   model + version (found again by the bundle digest; see model-version.ts for the window)
 *   link    each artifact version to the version
 *   metadata every source fact, the promotion chain, the digest (only what is missing)
 *   tags    `imported` and the source's
 *   stage   last, with the server's force rules
 */
import { mapLimit } from '../exchange/index.js';
import { nextTurn } from '../next-turn.js';
import {
  ModelVersionArtifactResponseSchema,
  runMetadata,
  type ModelVersionResponse,
  type ZenmlClient,
} from '../zenml/index.js';
import { formatBytes } from '../transfer/progress.js';
import { verifyBundle, type VerifiedBundle } from './bundle.js';
import { copiesServerSide, copyFiles, verifyFiles, type CopyItem } from './copy.js';
import { artifactDestDir, resolveDestination, storeUri, type Destination } from './destination.js';
import { buildVersionMetadata, missingMetadata, promotionChainWithDestination, writeVersionMetadata } from './metadata.js';
import {
  BUNDLE_DIGEST_KEY,
  createVersion,
  dropLeftoverVersions,
  ensureTags,
  findOrCreateModel,
  findVersionFromBundle,
  getVersion,
  versionTags,
} from './model-version.js';
import { registerArtifact, findArtifactVersionByUri, type RegisterItem, type Registered } from './register.js';
import { checkStage, ensureStage, stageHolder, versionLabel } from './stage.js';
import type { ImportRequest, ImportResult, ImportStep } from './types.js';

interface Layout {
  copies: CopyItem[];
  registers: RegisterItem[];
}

/** Where each file and artifact goes in the destination store. */
export function layoutOf(bundle: VerifiedBundle, model: string, dest: Pick<Destination, 'storePath'>): Layout {
  const m = bundle.manifest;
  const copies: CopyItem[] = [];
  const registers: RegisterItem[] = [];
  for (const a of m.artifacts) {
    const dir = artifactDestDir(model, m.bundleDigest, a.name);
    const files = bundle.files.filter((f) => f.artifact === a);
    for (const f of files) copies.push({ src: f, destKey: `${dir}/${f.file.path}` });
    const first = a.files[0];
    const uri = storeUri(dest.storePath, a.singleFile && first ? `${dir}/${first.path}` : dir);
    registers.push({ artifact: a, uri, bytes: a.files.reduce((n, f) => n + f.size, 0) });
  }
  return { copies, registers };
}

export async function importModel(client: ZenmlClient, req: ImportRequest): Promise<ImportResult> {
  const log = req.log;
  const stage = checkStage(req.stage);

  // ---- verify: nothing is written before this has passed. Finding the destination only reads
  // the server, so its round trips run while the bundle is checked instead of after it. The
  // bundle's verdict comes first: a bad bundle is reported as such even if the server also fails.
  // The lookup starts first and gets one turn of the event loop to put its request on the wire:
  // the bundle check's first steps (loading the store's code, parsing the manifest) hold the
  // thread for several ms, and the request would otherwise wait behind them.
  const destination = resolveDestination(client, req);
  destination.catch(() => undefined); // settled below; never an unhandled rejection meanwhile
  await nextTurn();
  const [verified, resolved] = await Promise.allSettled([verifyBundle(req.manifestUri, req.storage), destination]);
  if (verified.status === 'rejected') throw verified.reason;
  const bundle = verified.value;
  const m = bundle.manifest;
  const model = req.model?.trim() || m.model.name;
  log(
    `Bundle ${m.bundleDigest}: ${m.model.name} version ${m.model.versionName} from ${m.source.serverUrl} ` +
      `(project ${m.source.project}); ${m.artifacts.length} artifact(s), ${bundle.files.length} file(s), ${formatBytes(bundle.totalBytes)}.`,
  );
  if (resolved.status === 'rejected') throw resolved.reason;
  const dest = resolved.value;
  log(`Destination: project ${dest.project.name}, model ${model}, artifact store ${dest.artifactStore.name} (${dest.storePath}).`);
  const layout = layoutOf(bundle, model, dest);

  if (req.dryRun) return dryRun(client, req, bundle, dest, layout, model, stage);

  const completed: ImportStep[] = [];
  const did = (step: ImportStep): void => {
    if (!completed.includes(step)) completed.push(step);
  };
  const projectId = dest.project.id;

  // ---- copy
  const copied = await copyFiles(bundle.store, dest.store, layout.copies, log);
  log(
    `Copied ${copied.written} file(s) (${formatBytes(copied.bytesWritten)}), ${copied.skipped} already there` +
      `${copied.serverSide ? `, ${copied.serverSide} server-side` : ''}.`,
  );
  if (copied.written) did('copy');

  // ---- register
  const registered: Registered[] = await mapLimit(layout.registers, 4, (item) =>
    registerArtifact(client, { projectId, artifactStoreId: dest.artifactStore.id }, item),
  );
  for (const r of registered) log(`Artifact ${r.name}: ${r.created ? 'registered' : 'already registered'} as ${r.artifactVersionId} at ${r.uri}.`);
  if (registered.some((r) => r.created)) did('register');

  // ---- model and version
  const found = await findOrCreateModel(client, projectId, model);
  if (found.created) {
    log(`Created model ${model}.`);
    did('model');
  }
  const modelId = found.model.id;
  let mv: ModelVersionResponse | undefined = await findVersionFromBundle(client, projectId, modelId, m.bundleDigest);
  let created = false;
  if (mv) {
    log(`Found ${versionLabel(mv)} of ${model}, made from this bundle earlier: completing what is missing.`);
    const dropped = await dropLeftoverVersions(client, projectId, modelId, m.bundleDigest, mv);
    if (dropped) log(`Deleted ${dropped} unfinished duplicate version(s) of this bundle left by an interrupted concurrent import.`);
  } else {
    const made = await createVersion(client, projectId, modelId, m);
    mv = made.version;
    created = made.created;
    if (created) {
      did('version');
      did('tags');
      log(`Created ${versionLabel(mv)} of ${model}.`);
    } else {
      log(`Found ${versionLabel(mv)} of ${model}, made from this bundle by a concurrent import: completing what is missing.`);
    }
  }
  // Right away: from here on a re-run finds the version by its digest.
  if (runMetadata(mv)[BUNDLE_DIGEST_KEY] !== m.bundleDigest) {
    await writeVersionMetadata(client, projectId, mv.id, { values: { [BUNDLE_DIGEST_KEY]: m.bundleDigest }, types: { [BUNDLE_DIGEST_KEY]: 'str' } });
    did(created ? 'version' : 'metadata');
  }
  const versionName = mv.name ?? String(mv.body?.number ?? '');

  // ---- link
  const linked = new Set<string>();
  for await (const l of client.paginate('/api/v1/model_version_artifacts', { model_version_id: mv.id }, ModelVersionArtifactResponseSchema)) {
    const id = l.body?.artifact_version?.id;
    if (id) linked.add(id);
  }
  const toLink = registered.filter((r) => !linked.has(r.artifactVersionId));
  for (const r of toLink) {
    await client.api.POST('/api/v1/model_version_artifacts', { body: { model_version: mv.id, artifact_version: r.artifactVersionId } });
  }
  if (toLink.length) {
    log(`Linked ${toLink.length} artifact version(s) to the version.`);
    did('link');
  }

  // ---- metadata
  const to = { serverUrl: client.serverUrl, project: dest.project.name, model, versionName, modelVersionId: mv.id };
  const desired = buildVersionMetadata(m, to, req.run);
  if (desired.shadowed.length) log(`Source metadata ${desired.shadowed.join(', ')} kept under source_shadowed_metadata (the names are this import's).`);
  if (desired.dropped.length) log(`Source metadata ${desired.dropped.join(', ')} left out: null values cannot be stored as ZenML metadata.`);
  const missing = missingMetadata(runMetadata(mv), desired);
  if (Object.keys(missing.values).length) {
    await writeVersionMetadata(client, projectId, mv.id, missing);
    log(`Wrote ${Object.keys(missing.values).length} run metadata key(s) on the version.`);
    did('metadata');
  }

  // ---- tags (re-read: the version may have been created by an earlier run)
  if (!created) {
    const fresh = await getVersion(client, mv.id);
    if (await ensureTags(client, fresh, versionTags(m))) {
      log(`Tagged the version ${versionTags(m).join(', ')}.`);
      did('tags');
    }
    mv = fresh;
  }

  // ---- stage, last
  let finalStage: string | null = mv.body?.stage ?? null;
  if (stage) {
    const r = await ensureStage(client, { projectId, modelId, modelName: model }, mv, stage, req.force);
    if (r.changed) {
      log(`Moved the version to ${stage}${req.force ? ' (force: the previous holder, if any, is archived)' : ''}.`);
      did('stage');
    }
    finalStage = r.version.body?.stage ?? stage;
  }

  log(
    completed.length
      ? `Imported ${model} ${versionLabel(mv)}: ${completed.join(', ')}.`
      : `Nothing to do: ${model} ${versionLabel(mv)} was already imported from this bundle and complete.`,
  );
  return {
    modelVersionId: mv.id,
    modelVersionNumber: mv.body?.number ?? 0,
    modelVersionName: versionName,
    model,
    stage: finalStage,
    created,
    completed,
    bundleDigest: m.bundleDigest,
    artifacts: registered.map(({ name, uri, artifactVersionId, bytes }) => ({ name, uri, artifactVersionId, bytes })),
    promotionChain: promotionChainWithDestination(m, to),
    source: m.source,
    manifest: m,
    project: dest.project.name,
    dryRun: false,
  };
}

/** Verification (including every byte that would be streamed), then the plan; no write anywhere. */
async function dryRun(
  client: ZenmlClient,
  req: ImportRequest,
  bundle: VerifiedBundle,
  dest: Destination,
  layout: Layout,
  model: string,
  stage: string | undefined,
): Promise<ImportResult> {
  const log = req.log;
  const m = bundle.manifest;
  const projectId = dest.project.id;
  await verifyFiles(bundle.store, dest.store, layout.copies, log);

  const present = await mapLimit(layout.copies, dest.store.parallelism, (c) => dest.store.stat(c.destKey));
  const already = present.filter(Boolean).length;
  const serverSide = layout.copies.filter((c) => copiesServerSide(bundle.store, dest.store, c)).length;
  const existingModel = await client.findModel(projectId, model);
  const mv = existingModel ? await findVersionFromBundle(client, projectId, existingModel.id, m.bundleDigest) : undefined;
  const artifacts = await mapLimit(layout.registers, 4, async (r) => {
    const av = await findArtifactVersionByUri(client, projectId, r.artifact.name, r.uri);
    return { name: r.artifact.name, uri: r.uri, artifactVersionId: av?.id ?? '', bytes: r.bytes };
  });

  log('Dry run: the bundle is verified. Plan (nothing is registered or copied):');
  log(
    `  copy ${layout.copies.length} file(s), ${formatBytes(bundle.totalBytes)}, to ${dest.store.uri}/${layout.copies.length ? layout.copies[0]?.destKey.split('/').slice(0, 3).join('/') : ''}/` +
      ` (${already} already there${serverSide ? `, ${serverSide} server-side` : ''})`,
  );
  for (const a of artifacts) {
    log(`  artifact ${a.name}: ${a.artifactVersionId ? `already registered (${a.artifactVersionId})` : 'register'} at ${a.uri}`);
  }
  log(`  model ${model}: ${existingModel ? 'exists' : 'create'}`);
  log(`  version: ${mv ? `${versionLabel(mv)} was made from this bundle; complete what is missing` : `create, tagged ${versionTags(m).join(', ')}`}`);
  const to = { serverUrl: client.serverUrl, project: dest.project.name, model, versionName: mv?.name ?? '(new)', modelVersionId: mv?.id ?? '(new)' };
  const md = buildVersionMetadata(m, to, req.run);
  log(`  metadata: ${Object.keys(md.values).length} key(s): ${Object.keys(md.values).join(', ')}`);
  if (stage) {
    const holder = existingModel ? await stageHolder(client, projectId, existingModel.id, stage) : undefined;
    if (!holder || (mv && holder.id === mv.id)) log(`  stage: ${stage}`);
    else if (req.force) log(`  stage: ${stage}; ${versionLabel(holder)} holds it and would be archived (force)`);
    else log(`  stage: ${stage} — held by ${versionLabel(holder)}: the import would stop there unless force is true`);
  }
  return {
    modelVersionId: mv?.id ?? '',
    modelVersionNumber: mv?.body?.number ?? 0,
    modelVersionName: mv ? (mv.name ?? String(mv.body?.number ?? '')) : '',
    model,
    stage: mv?.body?.stage ?? null,
    created: false,
    completed: [],
    bundleDigest: m.bundleDigest,
    artifacts,
    promotionChain: promotionChainWithDestination(m, mv ? { ...to, versionName: mv.name ?? '' } : undefined),
    source: m.source,
    manifest: m,
    project: dest.project.name,
    dryRun: true,
  };
}
