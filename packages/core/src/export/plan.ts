/** The lines that say what an export is about to do (printed before any byte moves, and by dry runs). */
import type { ExchangeStore } from '../exchange/types.js';
import { formatBytes } from '../transfer/progress.js';
import type { VersionFacts } from './build-manifest.js';
import { copiesServerSide, type PlannedArtifact } from './transfer.js';

export interface PlanSummary {
  files: number;
  bytes: number;
  streamed: number;
  copied: number;
}

export function summarise(planned: PlannedArtifact[], exchange: ExchangeStore): PlanSummary {
  const s: PlanSummary = { files: 0, bytes: 0, streamed: 0, copied: 0 };
  for (const p of planned) {
    for (const f of p.store?.files ?? []) {
      s.files++;
      s.bytes += f.size;
      if (copiesServerSide(p.store!, f, exchange)) s.copied++;
      else s.streamed++;
    }
  }
  return s;
}

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function planLines(v: VersionFacts, planned: PlannedArtifact[], exchange: ExchangeStore, destination: string): string[] {
  const m = v.model;
  const s = v.source;
  const lines: string[] = [];
  lines.push(
    `Model '${m.name}' version '${m.versionName}' (number ${m.versionNumber}, stage ${m.stage ?? 'none'}, id ${s.modelVersionId}) ` +
      `in project '${s.project}' on ${s.serverUrl} (ZenML ${s.serverVersion}).`,
  );
  if (s.pipelineRunId) {
    lines.push(`Pipeline run: ${s.pipelineRunName ?? s.pipelineRunId} (${s.pipelineRunId})${s.gitCommit ? `, git commit ${s.gitCommit}` : ''}${s.pipelineRunUrl ? `, ${s.pipelineRunUrl}` : ''}.`);
  } else {
    lines.push(`Pipeline run: none linked${s.gitCommit ? `; git commit ${s.gitCommit} (from run metadata)` : ''}.`);
  }
  const metrics = Object.entries(v.metrics);
  lines.push(`Metrics: ${metrics.length ? metrics.map(([k, n]) => `${k}=${n}`).join(', ') : 'none'}.`);
  const meta = Object.entries(v.metadata);
  if (meta.length) lines.push(`Other metadata: ${meta.map(([k, x]) => `${k}=${value(x)}`).join(', ')}.`);
  if (v.earlierHops.length) lines.push(`Earlier promotion hops carried over: ${v.earlierHops.length}.`);
  lines.push(`Artifacts (${planned.length}):`);
  for (const p of planned) {
    const a = p.facts;
    if (p.store) {
      const size = p.store.files.reduce((n, f) => n + f.size, 0);
      const copied = p.store.files.filter((f) => copiesServerSide(p.store!, f, exchange)).length;
      const how = copied === p.store.files.length && copied > 0 ? 'copied server-side' : copied ? `${copied} copied server-side` : 'streamed';
      const count = p.store.singleFile ? 'single file' : `${p.store.files.length} file${p.store.files.length === 1 ? '' : 's'}`;
      lines.push(`  - ${a.name}: ${a.type}, version ${a.version}, ${count}, ${formatBytes(size)}, ${how}, from ${a.uri}`);
    } else {
      lines.push(`  - ${a.name}: ${a.type}, version ${a.version}, from ${a.uri} (through the server; sizes known once downloaded)`);
    }
  }
  if (planned.every((p) => p.store)) {
    const t = summarise(planned, exchange);
    lines.push(`Total: ${t.files} files, ${formatBytes(t.bytes)} (${t.streamed} streamed through the runner, ${t.copied} copied server-side).`);
  }
  lines.push(`Destination: ${destination}`);
  return lines;
}
