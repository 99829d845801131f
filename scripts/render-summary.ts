/** Renders a job-summary markdown fragment readably in a terminal (the demo's stand-in for the Actions UI). */
export function renderForTerminal(markdown: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  let rows: string[][] = [];
  const flush = (): void => {
    if (rows.length === 0) return;
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows) out.push('  ' + r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  │  ').trimEnd());
    rows = [];
  };
  for (const line of lines) {
    if (/^\|.*\|$/.test(line.trim())) {
      const cells = line
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|').replace(/\*\*/g, '').replace(/`/g, ''));
      if (cells.every((c) => /^-+$/.test(c) || c === '')) continue;
      rows.push(cells);
      continue;
    }
    flush();
    if (line.trim() !== '') out.push(line.replace(/^#+\s*/, ''));
  }
  flush();
  return out.join('\n');
}
