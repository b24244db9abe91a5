import { describe, expect, it } from 'vitest';
import { CoalescedWrites } from './coalesced-writes.js';

function recorder(failOn?: number) {
  const batches: number[][] = [];
  let release: (() => void) | null = null;
  const writes = new CoalescedWrites<number, number>({
    maxBatch: 3,
    isUnavailable: () => false,
    write: async (items) => {
      batches.push(items);
      await new Promise<void>((r) => (release = r));
      if (failOn !== undefined && items.includes(failOn)) throw new Error(`bad ${failOn}`);
      return items.map((i) => i * 10);
    },
  });
  const flush = async () => {
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      release?.();
      release = null;
    }
  };
  return { writes, batches, flush };
}

describe('CoalescedWrites', () => {
  it('writes the items added in one turn together, up to maxBatch, and what comes while busy next', async () => {
    const { writes, batches, flush } = recorder();
    const first = writes.addAll([1, 2, 3, 4]);
    await new Promise((r) => setImmediate(r));
    const later = writes.add(5);
    await flush();
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect((await first).map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual([10, 20, 30, 40]);
    expect(await later).toBe(50);
  });

  it('starts an idle write without waiting for a timer', async () => {
    const { writes, batches } = recorder();
    void writes.add(7);
    await Promise.resolve();
    await Promise.resolve();
    expect(batches).toEqual([[7]]);
  });

  it('a failed batch is tried item by item, so a bad item fails only itself', async () => {
    const { writes, batches, flush } = recorder(2);
    const results = writes.addAll([1, 2, 3]);
    await flush();
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
