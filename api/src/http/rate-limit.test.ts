import { describe, expect, it } from 'vitest';
import { locallyBatchedStore, RateLimiter, SYNC_MS, type SharedStore, type WindowHit } from './rate-limit.js';

/** A shared window in memory, standing in for Redis: what several replicas' batched stores add into. */
function sharedWindow(now: () => number): SharedStore & { total(key: string): number } {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hitMany(key, hits, windowMs): Promise<WindowHit> {
      let w = windows.get(key);
      if (!w || w.resetAt <= now()) windows.set(key, (w = { count: 0, resetAt: now() + windowMs }));
      w.count += hits;
      return { count: w.count, resetInMs: w.resetAt - now() };
    },
    hit(key, windowMs) {
      return this.hitMany(key, 1, windowMs);
    },
    total: (key) => windows.get(key)?.count ?? 0,
    ready: async () => {},
    async close() {},
  };
}

const tick = () => new Promise((r) => setTimeout(r, SYNC_MS + 30));

describe('locally batched rate-limit store', () => {
  it('hits far from the limit are counted locally and reach the shared window within a sync period', async () => {
    const shared = sharedWindow(Date.now);
    const store = locallyBatchedStore(shared, 1_000, (err) => {
      throw err;
    });
    const limiter = new RateLimiter(store, 'global', 1_000, 60_000);
    for (let i = 0; i < 200; i++) expect((await limiter.consume('ip:a')).allowed).toBe(true);
    expect(shared.total('global:ip:a')).toBeLessThan(200);
    await tick();
    expect(shared.total('global:ip:a')).toBe(200);
    await store.close();
  });

  it('one replica admits exactly the limit: near it every hit waits for the shared count', async () => {
    const shared = sharedWindow(Date.now);
    const store = locallyBatchedStore(shared, 100, () => {});
    const limiter = new RateLimiter(store, 'global', 100, 60_000);
    let admitted = 0;
    for (let i = 0; i < 300; i++) if ((await limiter.consume('ip:a')).allowed) admitted++;
    expect(admitted).toBe(100);
    await tick();
    expect(shared.total('global:ip:a')).toBe(300);
    await store.close();
  });

  it('two replicas admit the limit, over by at most what each admitted within one sync period', async () => {
    const shared = sharedWindow(Date.now);
    const replicas = [locallyBatchedStore(shared, 100, () => {}), locallyBatchedStore(shared, 100, () => {})];
    const limiters = replicas.map((store) => new RateLimiter(store, 'global', 100, 60_000));
    const perSyncPeriod = 20;
    let admitted = 0;
    for (let i = 0; i < 300; i++) {
      if ((await limiters[i % 2].consume('ip:a')).allowed) admitted++;
      if (i % (2 * perSyncPeriod) === 2 * perSyncPeriod - 1) await tick();
    }
    expect(admitted).toBeGreaterThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(100 + 2 * perSyncPeriod);
    // Once the shared window is full, both refuse.
    for (const limiter of limiters) expect((await limiter.consume('ip:a')).allowed).toBe(false);
    for (const store of replicas) await store.close();
  });

  it('a window that expired starts afresh', async () => {
    let t = 0;
    const shared = sharedWindow(() => t);
    const store = locallyBatchedStore(
      shared,
      10,
      () => {},
      () => t,
    );
    const limiter = new RateLimiter(store, 'global', 10, 1_000);
    for (let i = 0; i < 10; i++) expect((await limiter.consume('ip:a')).allowed).toBe(true);
    expect((await limiter.consume('ip:a')).allowed).toBe(false);
    t = 1_001;
    expect((await limiter.consume('ip:a')).allowed).toBe(true);
    await store.close();
  });

  it('the shared store failing fails open through the limiter and is reported', async () => {
    const failures: unknown[] = [];
    const broken: SharedStore = {
      hitMany: () => Promise.reject(new Error('connection refused')),
      hit: () => Promise.reject(new Error('connection refused')),
      ready: async () => {},
      async close() {},
    };
    const store = locallyBatchedStore(broken, 10, (err) => failures.push(err));
    const limiter = new RateLimiter(store, 'global', 10, 60_000, (err) => failures.push(err));
    expect((await limiter.consume('ip:a')).allowed).toBe(true);
    expect(failures).toHaveLength(1);
    await store.close();
  });
});
