import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openOrm, type Em, type Orm } from '../src/db/orm.js';
import type { Log } from '../src/log.js';
import { DeliveryLoop } from '../src/webhooks/delivery-loop.js';
import { recordDelivery } from '../src/webhooks/outbox.js';
import type { Job } from '../src/jobs/job.entity.js';
import { mariadb, MYSQL_SKIP_REASON, forSuite } from './support/server.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { eventually, receiverForSuite } from './support/webhooks.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Log lines the loop writes, with their level and time. */
function collectingLog(): Log & { lines: { level: string; msg: string; at: number; obj: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; at: number; obj: Record<string, unknown> }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    lines.push({ level, msg: msg ?? '', at: Date.now(), obj: obj as Record<string, unknown> });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: () => {} };
}

/**
 * The webhook sender while its database is away: its claims back off (capped, jittered) instead of
 * retrying every poll, it warns once per backoff step, and it sends again within about a second of
 * the database answering. The database sits behind a TCP proxy that counts every connection attempt.
 */
describe.skipIf(!!MYSQL_SKIP_REASON)('webhook delivery claims during a database outage (MariaDB behind a proxy)', () => {
  const db = forSuite(
    async () => {
      const direct = await mariadb.create();
      const url = new URL(direct);
      const proxy = new TcpProxy(url.hostname, Number(url.port || 3306));
      await proxy.up();
      url.port = String(proxy.port);
      const proxied = await openOrm(loadConfig({ DATABASE_URL: url.toString() }).database, 2);
      const straight = await openOrm(loadConfig({ DATABASE_URL: direct }).database, 2);
      return { proxy, proxied, straight };
    },
    async ({ proxy, proxied, straight }) => {
      await proxy.up().catch(() => {});
      await proxied.close(true);
      await straight.close(true);
      await proxy.down();
    },
  );
  const receiver = receiverForSuite({ '/hook': () => ({ status: 200 }) });
  let loop: DeliveryLoop | undefined;
  afterAll(async () => {
    await db().proxy.up();
    await loop?.stop(0);
  });

  async function queueDelivery(orm: Orm, jobId: number): Promise<void> {
    const job = { id: jobId, taskName: 'noop', status: 'COMPLETED', attempts: 1, payload: {}, completedAt: new Date() } as unknown as Job;
    await orm.em.fork().transactional((tx) => recordDelivery(tx as Em, job, { url: `${receiver().url}/hook`, trusted: true }));
  }

  it('spreads its claim attempts out while the database is down and sends within a second of its return', async () => {
    const { proxy, proxied, straight } = db();
    const log = collectingLog();
    loop = new DeliveryLoop(
      proxied,
      {
        secret: 's3cret',
        retry: { maxRetries: 3, baseMs: 100 },
        timeoutMs: 2_000,
        concurrency: 4,
        pollMs: 20,
        leaseMs: 10_000,
        allowed: [],
      },
      { logAdded: () => {} },
    );
    loop.start(log);
    await queueDelivery(straight, 1);
    await eventually(() => receiver().on('/hook').length === 1, 10_000, 'the first delivery');

    await proxy.refuse();
    const downAt = Date.now();
    const OUTAGE_MS = 6_000;
    await sleep(OUTAGE_MS);
    // Due during the outage, written straight to the database: it can only go out once claims work again.
    await queueDelivery(straight, 2);
    await proxy.up();
    const upAt = Date.now();
    await eventually(() => receiver().on('/hook').length === 2, 10_000, 'the delivery due during the outage');
    const sentAfterMs = receiver().on('/hook')[1].at - upAt;

    const attempts = proxy.refusedAt.filter((t) => t >= downAt && t <= upAt);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    // One claim may open more than one pooled connection: attempts closer than 200 ms count as one.
    const late = attempts.filter((t) => t - downAt > 3_000).filter((t, i, all) => i === 0 || t - all[i - 1] >= 200);
    const lateGaps = late.slice(1).map((t, i) => t - late[i]);
    const warnings = log.lines.filter((l) => l.level === 'warn' && l.obj.loop === 'webhook delivery claim');
    const recovered = log.lines.filter((l) => l.level === 'info' && l.obj.loop === 'webhook delivery claim');

    // Polling every 20 ms without backoff would have tried ~300 times; capped at 1 s it is a dozen or so.
    expect(
      attempts.length,
      `connection attempts during ${OUTAGE_MS} ms down: ${attempts.length} (gaps ${gaps.join(', ')} ms)`,
    ).toBeLessThanOrEqual(30);
    expect(attempts.length, 'the loop kept trying while the database was down').toBeGreaterThanOrEqual(4);
    // Late in the outage the wait is at its cap (between half and the whole of 1 s): a few tries in 3 s, not 150.
    expect(late.length, `tries late in the outage: ${late.length} (gaps ${lateGaps.join(', ')} ms)`).toBeLessThanOrEqual(10);
    expect(Math.max(...gaps), `no wait beyond the cap: ${gaps.join(', ')} ms`).toBeLessThanOrEqual(1_600);
    expect(
      warnings.length,
      `one warning per backoff step, not per attempt: ${warnings.length} for ${attempts.length} attempts`,
    ).toBeLessThan(attempts.length + 1);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => typeof w.obj.waitMs === 'number' && /retrying in \d+ ms/.test(w.msg))).toBe(true);
    expect(recovered.length, 'one info line when claims work again').toBe(1);
    expect(sentAfterMs, `the delivery due during the outage went out ${sentAfterMs} ms after the database returned`).toBeLessThan(1_500);
  }, 40_000);
});
