import { createProgress, formatBytes, formatElapsed } from './progress.js';

/** A progress on a hand-moved clock, collecting the lines it prints. */
function clocked(total?: number) {
  let t = 1_000_000;
  const lines: string[] = [];
  const p = createProgress({ label: 'Copying 1 file(s)', ...(total === undefined ? {} : { total }), log: (l) => lines.push(l), intervalMs: 5000, now: () => t });
  return { p, lines, advance: (ms: number) => (t += ms) };
}

describe('transfer progress', () => {
  it('prints done/total, percent and rate at most once per interval', () => {
    const { p, lines, advance } = clocked(100 * 1024 * 1024);
    advance(1000);
    p.add(10 * 1024 * 1024);
    expect(lines).toEqual([]);
    advance(4000);
    p.add(40 * 1024 * 1024);
    expect(lines).toEqual(['Copying 1 file(s): 50.0 MiB / 100.0 MiB (50.0%) at 10.0 MiB/s']);
    advance(100);
    p.add(1024);
    expect(lines).toHaveLength(1);
  });

  it('always ends with the duration, precise enough for a sub-second transfer', () => {
    const { p, lines, advance } = clocked(64 * 1024 * 1024);
    advance(83);
    p.add(64 * 1024 * 1024);
    p.done();
    expect(lines).toEqual(['Copying 1 file(s): 64.0 MiB / 64.0 MiB (100.0%) at 771.1 MiB/s — done in 83 ms']);
  });

  it('prints the amount alone when the total is unknown', () => {
    const { p, lines, advance } = clocked();
    advance(1370);
    p.add(1024 * 1024 * 1024);
    p.done();
    expect(lines).toEqual(['Copying 1 file(s): 1.0 GiB at 747.4 MiB/s — done in 1.37 s']);
  });
});

describe('formatElapsed', () => {
  it.each([
    [0, '0 ms'],
    [999.4, '999 ms'],
    [1000, '1.00 s'],
    [59_994, '59.99 s'],
    [125_400, '2 min 5 s'],
  ])('%d ms → %s', (ms, text) => expect(formatElapsed(ms)).toBe(text));
});

describe('formatBytes', () => {
  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [4 * 1024 ** 3, '4.0 GiB'],
  ])('%d → %s', (n, text) => expect(formatBytes(n)).toBe(text));
});
