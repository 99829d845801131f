import { code, facts, heading, table } from '../action/markdown.js';
import type { Manifest } from '../manifest/schema.js';
import { formatBytes } from '../transfer/progress.js';

/** `sha256:0123456789ab…` — enough of a digest to recognise it at a glance. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '—';
  const hex = digest.replace(/^sha256:/, '');
  return `sha256:${hex.slice(0, 12)}…`;
}

/** Mermaid labels: quotes and brackets would end the node text. */
function label(text: string): string {
  return text.replace(/["[\]{}<>]/g, "'");
}

export interface PromotionPathNode {
  title: string;
  detail: string;
}

/** The promotion path as a left-to-right mermaid diagram: source → exchange → destination. */
export function promotionDiagram(nodes: PromotionPathNode[], edges: string[]): string {
  const lines = ['```mermaid', 'flowchart LR'];
  nodes.forEach((n, i) => lines.push(`  n${i}["<b>${label(n.title)}</b><br/>${label(n.detail)}"]`));
  for (let i = 0; i < nodes.length - 1; i++) lines.push(`  n${i} -->|${label(edges[i] ?? '')}| n${i + 1}`);
  lines.push('```', '');
  return lines.join('\n');
}

export function metricsTable(metrics: Record<string, number>): string {
  const rows = Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return '_No numeric metrics recorded on the model version._\n';
  return table(['metric', 'value'], rows.map(([k, v]) => [k, formatMetric(v)]));
}

export function formatMetric(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
}

export function artifactsTable(m: Manifest): string {
  if (m.artifacts.length === 0) return '_No artifacts._\n';
  return table(
    ['artifact', 'type', 'version', 'files', 'size', 'digest'],
    m.artifacts.map((a) => {
      const size = a.files.reduce((s, f) => s + f.size, 0);
      const only = a.files.length === 1 ? a.files[0] : undefined;
      const digest = only ? (only.sha256 ? `sha256:${only.sha256.slice(0, 12)}…` : only.md5 ? `md5:${only.md5}` : '—') : `${a.files.length} files`;
      return [a.name, a.type, a.version, a.files.length, formatBytes(size), digest];
    }),
  );
}

export function chainTable(chain: Manifest['promotionChain']): string {
  if (chain.length === 0) return '';
  return (
    heading('Promotion chain', 4) +
    table(
      ['#', 'from', 'to', 'by', 'when', 'run'],
      chain.map((h, i) => [
        i + 1,
        `${h.from.model} v${h.from.version} @ ${h.from.serverUrl}`,
        h.to ? `${h.to.model} v${h.to.version} @ ${h.to.serverUrl}` : '(this import)',
        h.actor,
        h.at,
        h.workflowRunUrl ? `[run](${h.workflowRunUrl})` : undefined,
      ]),
    )
  );
}

export interface ExportSummaryInput {
  manifest: Manifest;
  manifestUri: string;
  written: boolean;
  filesWritten: number;
  filesSkipped: number;
  serverSideCopies: number;
  bytes: number;
  dryRun: boolean;
  exchangeUri: string;
}

export function exportSummary(r: ExportSummaryInput): string {
  const m = r.manifest;
  const src = m.source;
  const what = r.dryRun ? 'would be written (dry run: nothing was written)' : r.written ? 'written' : 'already complete — nothing rewritten';
  return (
    heading(`📦 Export ${m.model.name} v${m.model.versionName}${r.dryRun ? ' (dry run)' : ''}`) +
    promotionDiagram(
      [
        { title: `${src.project} @ ${hostOf(src.serverUrl)}`, detail: `${m.model.name} v${m.model.versionName}${m.model.stage ? ` (${m.model.stage})` : ''}` },
        { title: 'exchange', detail: shortDigest(m.bundleDigest) },
      ],
      ['export'],
    ) +
    facts([
      ['Model', `${m.model.name} · version ${m.model.versionName} (#${m.model.versionNumber})${m.model.stage ? ` · ${m.model.stage}` : ''}`],
      ['Source', `${src.serverUrl} · project ${src.project}`],
      ['Pipeline run', pipelineRunLink(m)],
      ['Git commit', src.gitCommit ? code(src.gitCommit) : undefined],
      ['Trained', src.trainingDate],
      ['Bundle', `${code(m.bundleDigest)} ${what}`],
      ['Manifest', code(r.manifestUri)],
      ['Files', `${r.filesWritten} written, ${r.filesSkipped} already there${r.serverSideCopies ? `, ${r.serverSideCopies} copied server-side` : ''} · ${formatBytes(r.bytes)}`],
    ]) +
    '\n' +
    contentSections(m, m.promotionChain)
  );
}

export interface ImportSummaryInput {
  manifest: Manifest;
  serverUrl: string;
  project: string;
  model: string;
  modelVersionName: string;
  modelVersionNumber: number;
  modelVersionId: string;
  stage: string | null;
  created: boolean;
  completed: string[];
  dryRun: boolean;
  promotionChain: Manifest['promotionChain'];
}

export function importSummary(r: ImportSummaryInput): string {
  const m = r.manifest;
  const src = m.source;
  const outcome = r.dryRun
    ? 'dry run: verified, nothing registered'
    : r.created
      ? 'created'
      : r.completed.length > 0
        ? `already existed; completed ${r.completed.join(', ')}`
        : 'already existed and complete — nothing changed';
  return (
    heading(`🚚 Import ${m.model.name} v${m.model.versionName} → ${r.model} v${r.modelVersionName}${r.dryRun ? ' (dry run)' : ''}`) +
    promotionDiagram(
      [
        { title: `${src.project} @ ${hostOf(src.serverUrl)}`, detail: `${m.model.name} v${m.model.versionName}` },
        { title: 'exchange', detail: shortDigest(m.bundleDigest) },
        { title: `${r.project} @ ${hostOf(r.serverUrl)}`, detail: `${r.model} v${r.modelVersionName}${r.stage ? ` (${r.stage})` : ''}` },
      ],
      ['export', 'import'],
    ) +
    table(
      ['', 'source', 'destination'],
      [
        ['**Server**', src.serverUrl, r.serverUrl],
        ['**Project**', src.project, r.project],
        ['**Model**', m.model.name, r.model],
        ['**Version**', `${m.model.versionName} (#${m.model.versionNumber})`, `${r.modelVersionName} (#${r.modelVersionNumber})`],
        ['**Version id**', code(src.modelVersionId), code(r.modelVersionId)],
        ['**Stage**', m.model.stage, r.stage],
      ],
    ) +
    '\n' +
    facts([
      ['Outcome', outcome],
      ['Bundle', code(m.bundleDigest)],
      ['Git commit', src.gitCommit ? code(src.gitCommit) : undefined],
      ['Pipeline run', pipelineRunLink(m)],
    ]) +
    '\n' +
    contentSections(m, r.promotionChain)
  );
}

/** Metrics, artifacts and the promotion chain: what every bundle summary shows below its facts. */
function contentSections(m: Manifest, chain: Manifest['promotionChain']): string {
  return heading('Metrics', 4) + metricsTable(m.metrics) + '\n' + heading('Artifacts', 4) + artifactsTable(m) + '\n' + chainTable(chain);
}

function pipelineRunLink(m: Manifest): string | undefined {
  const src = m.source;
  const label = src.pipelineRunName ?? src.pipelineRunId;
  return src.pipelineRunUrl ? `[${label}](${src.pipelineRunUrl})` : label;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
