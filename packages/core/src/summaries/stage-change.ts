import { code, facts, heading } from '../action/markdown.js';
import type { PromoteResult, RollbackResult } from '../promote/types.js';
import { hostOf, promotionDiagram, shortDigest } from './promotion.js';

export function promoteSummary(r: PromoteResult & { model: string; serverUrl: string; bundleDigest?: string; sourceServerUrl?: string }): string {
  const outcome = r.dryRun ? `dry run: ${r.plan}; nothing changed` : r.changed ? 'promoted' : `v${r.version} already held ${r.stage}; nothing changed`;
  const nodes = r.sourceServerUrl
    ? [
        { title: `source @ ${hostOf(r.sourceServerUrl)}`, detail: r.model },
        { title: 'exchange', detail: shortDigest(r.bundleDigest) },
        { title: `${r.stage} @ ${hostOf(r.serverUrl)}`, detail: `${r.model} v${r.version}` },
      ]
    : [
        { title: r.previousVersion ? `${r.stage} (before)` : `${r.stage} (empty before)`, detail: r.previousVersion ? `${r.model} v${r.previousVersion} → archived` : '—' },
        { title: `${r.stage} (now)`, detail: `${r.model} v${r.version}` },
      ];
  return (
    heading(`🚀 Promote ${r.model} v${r.version} → ${r.stage}${r.dryRun ? ' (dry run)' : ''}`) +
    promotionDiagram(nodes, r.sourceServerUrl ? ['export', 'import'] : ['promote']) +
    facts([
      ['Outcome', outcome],
      ['Server', r.serverUrl],
      ['Now holds ' + r.stage, `v${r.version} ${code(r.modelVersionId)}`],
      ['Previous holder', r.previousVersion ? `v${r.previousVersion} ${code(r.previousVersionId)} (archived)` : 'none'],
      ['Bundle', r.bundleDigest ? code(r.bundleDigest) : undefined],
    ])
  );
}

export function rollbackSummary(r: RollbackResult & { model: string; serverUrl: string; reason: string }): string {
  return (
    heading(`⏪ Roll back ${r.model} ${r.stage}${r.dryRun ? ' (dry run)' : ''}`) +
    promotionDiagram(
      [
        { title: `${r.stage} (before)`, detail: `${r.model} v${r.rolledBackFrom.version}` },
        { title: `${r.stage} (now)`, detail: `${r.model} v${r.version}` },
      ],
      ['rollback'],
    ) +
    facts([
      ['Outcome', r.dryRun ? `dry run: ${r.plan}; nothing changed` : `v${r.version} restored; v${r.rolledBackFrom.version} archived`],
      ['Reason', r.reason],
      ['Server', r.serverUrl],
      ['Restored', `v${r.version} ${code(r.modelVersionId)}`],
      ['Rolled back from', `v${r.rolledBackFrom.version} ${code(r.rolledBackFrom.id)}`],
    ])
  );
}
