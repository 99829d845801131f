/** Markdown for job summaries: small, escaped, readable at a glance. */

/** Escapes a value for a table cell: pipes and newlines would break the row. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  return String(value).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code, for ids and digests. */
export function code(value: string | undefined | null): string {
  if (!value) return '—';
  return '`' + value.replace(/`/g, "'") + '`';
}

export function table(headers: string[], rows: unknown[][]): string {
  const head = `| ${headers.map((h) => (h === '' ? ' ' : cell(h))).join(' | ')} |`;
  const rule = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

/** A two-column key/value table, the shape most summaries want. */
export function facts(rows: [string, unknown][]): string {
  return table(['', ''], rows.map(([k, v]) => [`**${k}**`, v]));
}

export function heading(text: string, level = 3): string {
  return `${'#'.repeat(level)} ${text}\n\n`;
}
