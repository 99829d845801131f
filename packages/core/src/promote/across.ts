/**
 * `promoteAcrossServers`: a model version of the source server into a stage of the destination
 * server, composed from core — nothing re-implemented:
 *
 *   exportModel (source → exchange) → gate callback (the manifest) → destination check (reads
 *   only: compare-and-swap / force, before anything is imported) → importModel (no stage) →
 *   promoteVersion on the destination (the race-safe move and the event, with `source` set).
 *
 * The stage is set by promoteVersion rather than by importModel's own `stage`, so that the
 * cross-server promotion has the same compare-and-swap, race safety and promotion record as the
 * in-server one. Re-running after a failure is safe: export and import are idempotent, and a
 * version that already holds the stage is left alone.
 */
import { createHash } from 'node:crypto';
import { exportModel } from '../export/export-model.js';
import { resolveProject } from '../export/resolve.js';
import { importModel } from '../import/import-model.js';
import { findVersionFromBundle, getVersion } from '../import/model-version.js';
import { canonicalJson } from '../manifest/layout.js';
import type { ZenmlClient } from '../zenml/index.js';
import { currentHolder, PromotionError, shortLabel, type StageTarget } from './move.js';
import { checkReplaceable, checkTargetStage, promoteVersion } from './promote.js';
import type { CrossServerPromoteRequest, CrossServerPromoteResult, GateOutcome, GateVerdict } from './types.js';

function reportDigest(v: GateVerdict): string | undefined {
  if (v.digest) return v.digest;
  if (v.report === undefined) return undefined;
  return `sha256:${createHash('sha256').update(canonicalJson(v.report)).digest('hex')}`;
}

export async function promoteAcrossServers(source: ZenmlClient, dest: ZenmlClient, req: CrossServerPromoteRequest): Promise<CrossServerPromoteResult> {
  const { log } = req;
  const toStage = checkTargetStage(req.toStage);

  // ---- export (a dry run plans only)
  const exported = await exportModel(source, {
    project: req.sourceProject,
    model: req.model,
    version: req.version,
    exchange: req.exchange,
    artifactSource: req.artifactSource ?? 'store',
    dryRun: req.dryRun,
    run: req.run,
    storage: req.storage,
    log,
  });
  const m = exported.manifest;
  const candidate = `${m.model.name} v${m.model.versionName} of ${source.serverUrl}`;

  // ---- gate
  let verdict: GateVerdict | undefined;
  let gate: GateOutcome | undefined;
  if (req.gate) {
    verdict = await req.gate(m);
    const digest = reportDigest(verdict);
    gate = { passed: verdict.passed, ...(digest ? { digest } : {}), ...(verdict.summary ? { summary: verdict.summary } : {}) };
    log(`Gate: ${verdict.passed ? 'passed' : 'did not pass'}${verdict.summary ? ` (${verdict.summary})` : ''}.`);
    if (!verdict.passed) {
      throw new PromotionError('input', `The gate did not pass for ${candidate}${verdict.summary ? ` (${verdict.summary})` : ''}: nothing was imported into ${dest.serverUrl}.`);
    }
  }

  // ---- destination check, before anything is imported
  const project = await resolveProject(dest, req.project);
  const modelName = req.destModel?.trim() || m.model.name;
  const existingModel = await dest.findModel(project.id, modelName);
  const t: StageTarget = { client: dest, projectId: project.id, modelId: existingModel?.id ?? '', modelName, stage: toStage };
  const holder = existingModel && toStage !== 'archived' ? await currentHolder(t) : undefined;
  const already = existingModel && exported.bundleDigest ? await findVersionFromBundle(dest, project.id, existingModel.id, exported.bundleDigest) : undefined;
  if (!(holder && already && holder.id === already.id)) {
    checkReplaceable(t, candidate, holder, { expectedCurrentVersion: req.expectedCurrentVersion, force: req.force, kind: 'promote' });
  }
  const base = { manifestUri: exported.manifestUri, bundleDigest: exported.bundleDigest, sourceModelVersionId: exported.modelVersionId, ...(verdict ? { gate: verdict } : {}) };

  if (req.dryRun) {
    const plan =
      already && holder?.id === already.id
        ? `${modelName} ${shortLabel(already)} (from this bundle) already holds ${toStage} on ${dest.serverUrl}; nothing to do`
        : `would import ${candidate} into ${dest.serverUrl} (project ${project.name}, model ${modelName}) and promote it → ${toStage}` +
          `${holder ? `, archiving ${shortLabel(holder)}` : ''}${gate?.summary ? `; ${gate.summary}` : ''}`;
    log(`Dry run: ${plan}. Nothing was changed.`);
    return {
      ...base,
      modelVersionId: already?.id ?? '',
      version: already ? (already.name ?? String(already.body?.number ?? '')) : '',
      ...(holder && holder.id !== already?.id ? { previousVersionId: holder.id, previousVersion: holder.name ?? String(holder.body?.number ?? '') } : {}),
      stage: toStage,
      changed: false,
      dryRun: true,
      plan,
      imported: false,
    };
  }

  // ---- import (no stage: promoteVersion sets it)
  const imported = await importModel(dest, {
    project: req.project,
    manifestUri: exported.manifestUri,
    model: modelName,
    force: false,
    artifactStore: req.artifactStore,
    stackId: req.stackId,
    dryRun: false,
    run: req.run,
    storage: req.storage,
    log,
  });

  // ---- stage and event on the destination version
  const model = existingModel ?? (await dest.findModel(project.id, modelName));
  if (!model) throw new PromotionError('api', `model '${modelName}' is not on ${dest.serverUrl} right after importing it; re-run the promotion.`);
  const mv = await getVersion(dest, imported.modelVersionId);
  const r = await promoteVersion({ ...t, modelId: model.id }, mv, {
    kind: 'promote',
    force: req.force,
    expectedCurrentVersion: req.expectedCurrentVersion,
    dryRun: false,
    run: req.run,
    approvals: req.approvals,
    gate,
    source: { serverUrl: m.source.serverUrl, modelVersionId: m.source.modelVersionId },
    log,
  });
  return { ...base, ...r, imported: imported.created };
}
