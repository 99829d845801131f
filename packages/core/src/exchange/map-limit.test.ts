import { mapLimit } from './map-limit.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('mapLimit', () => {
  it('keeps order and never runs more than `limit` at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      await tick(n * 3);
      running--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(peak).toBe(3);
  });

  it('stops starting work after the first failure and waits for the in-flight calls', async () => {
    const started: number[] = [];
    let settled = 0;
    const err = await mapLimit([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick(n === 1 ? 1 : 10);
      settled++;
      if (n === 1) throw new Error('boom 1');
      return n;
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('boom 1');
    expect(started).toEqual([0, 1]); // 1 fails before 0 settles: nothing new starts
    expect(settled).toBe(started.length);
  });

  it('handles empty input and rejects a bad limit', async () => {
    await expect(mapLimit([], 4, async () => 1)).resolves.toEqual([]);
    await expect(mapLimit([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
