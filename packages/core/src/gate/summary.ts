/** The gate's job summary: the verdict, one row per rule, then the approvals. */
import { code, facts, heading, table } from '../action/markdown.js';
import { approvalsTable } from '../github/approvals.js';
import { shown } from './evaluate.js';
import { versionLabel } from './facts.js';
import { gateTally } from './report.js';
import type { GateReport, RuleResult } from './types.js';


export function gateSummary(report: GateReport): string {
  const verdict = report.passed ? '✅ passed' : '❌ rejected';
  let md = heading(`Promotion gate: ${versionLabel(report)} → ${report.targetStage}: ${verdict}`);
  const champion: [string, unknown][] = report.champion
    ? [['Champion', `${versionLabel({ model: report.model, version: report.champion.version })}${report.champion.modelVersionId ? ` ${code(report.champion.modelVersionId)}` : ''}`]]
    : report.results.some((r) => r.kind === 'champion')
      ? [['Champion', `none (no version holds ${report.targetStage})`]]
      : [];
  md += facts([
    ['Candidate', `${versionLabel(report)}${report.modelVersionId ? ` ${code(report.modelVersionId)}` : ''}${report.origin === 'manifest' ? ' (from the export manifest)' : ''}`],
    ['Target stage', report.targetStage],
    ...champion,
    ['Rules', gateTally(report)],
    ['Evaluated at', report.evaluatedAt],
  ]);
  md += '\n';
  if (report.results.length) {
    md += table(
      ['metric', 'rule', 'candidate', 'champion', 'verdict', 'why'],
      report.results.map((r) => [r.metric ?? '—', r.rule, value(r, 'candidate'), value(r, 'champion'), r.passed ? '✅' : '❌', r.reason]),
    );
  } else {
    md += '_The policy has no rules to check._\n';
  }
  md += '\n' + heading('Approvals', 4);
  // The GitHub helper's table: it says that GitHub gives no approval time ("observed at" is when this step read it).
  md += report.approvals.length || report.requireApproval ? approvalsTable(report.approvals) : '_None read: approval is not required by this policy._\n';
  return md;
}

function value(r: RuleResult, which: 'candidate' | 'champion'): string {
  const v = r[which];
  if (v === undefined) return '—';
  // Metric values as the reasons show them ('n/a' quoted); tag names, times and reviewers as they are.
  return typeof v === 'string' && (r.kind === 'tag' || r.kind === 'age' || r.kind === 'approval') ? v : shown(v);
}
