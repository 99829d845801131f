import { cell, facts, table } from './markdown.js';

describe('markdown tables', () => {
  it('escapes pipes and newlines so a value cannot break the row', () => {
    expect(table(['a', 'b'], [['x|y', 'line1\nline2']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | line1 line2 |\n');
  });
  it('shows an em dash for missing values', () => {
    expect(cell(undefined)).toBe('—');
    expect(facts([['Stack', undefined]])).toBe('|   |   |\n| --- | --- |\n| **Stack** | — |\n');
  });
});
