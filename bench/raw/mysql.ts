/**
 * The raw database doing the same work without us, on a table identical to ours (same migrations, same
 * indexes), through bare mysql2:
 * - enqueue: one autocommit INSERT per job, or one multi-row INSERT per batch;
 * - drain: min(c, 10) connections, each claiming ceil(c / connections) jobs with
 *   `SELECT … ORDER BY priority DESC, run_at, id LIMIT k FOR UPDATE SKIP LOCKED` + `UPDATE … RUNNING`
 *   in one transaction, then completing them with one `UPDATE … COMPLETED` (autocommit). Up to c jobs are
 *   in flight, as in the engines; deadlocks (1213) are retried.
 * No leases, no attempts bookkeeping, no outbox, no events: what is left is the database's own cost.
 */
import mysql from 'mysql2/promise';
import { chunks, handlerCounter, timeDrain } from '../lib/measure.mjs';
import { freshMariaDb, mariaDbSettings, migratedOrm } from '../engine/database.js';

const COLUMNS = '(task_name, payload, priority, status, attempts, max_attempts, progress, run_at, created_at, updated_at)';
const ROW = `(?, ?, 0, 'PENDING', 0, 3, 0, ?, ?, ?)`;
const dbNow = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

export async function open({ timeoutMs }: { timeoutMs: number }) {
  const url = await freshMariaDb('jobs_bench_raw');
  await (await migratedOrm(url)).close(true);
  const mysqlUrl = url.replace(/^mariadb:/, 'mysql:');
  const pool = mysql.createPool({ uri: mysqlUrl, connectionLimit: 12 });
  const reset = () => pool.query('truncate table jobs');
  const insertRows = async (conn: mysql.Pool | mysql.PoolConnection, ids: number[]) => {
    const now = dbNow();
    await conn.query(
      `insert into jobs ${COLUMNS} values ${ids.map(() => ROW).join(', ')}`,
      ids.flatMap((i) => ['bench.noop', JSON.stringify({ i }), now, now, now]),
    );
  };
  const retryDeadlock = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (error) {
        if ((error as { errno?: number }).errno !== 1213) throw error;
      }
    }
  };

  return {
    version: 'bare mysql2 on MariaDB',
    settings: { mariadb: await mariaDbSettings() },
    async enqueue({ n, batch }: { n: number; batch: number }) {
      await reset();
      const conn = await pool.getConnection();
      const t = performance.now();
      for (const chunk of chunks(n, batch)) await insertRows(conn, chunk);
      const ms = performance.now() - t;
      conn.release();
      return { ms };
    },
    async drain({ n, concurrency }: { n: number; concurrency: number }) {
      await reset();
      for (const chunk of chunks(n, 1000)) await insertRows(pool, chunk);
      const connections = Math.min(concurrency, 10);
      const perClaim = Math.ceil(concurrency / connections);
      const counter = handlerCounter(n);
      let stop = false;
      const loop = async () => {
        const conn = await pool.getConnection();
        await conn.query('set session transaction isolation level read committed');
        try {
          while (!stop) {
            const ids = await retryDeadlock(async () => {
              await conn.beginTransaction();
              try {
                // The claim index leads with (status, queue): without the queue every claim sorts all PENDING rows.
                const [rows] = await conn.query(
                  `select id from jobs where status = 'PENDING' and queue = 'default' and run_at <= ? order by priority desc, run_at, id limit ? for update skip locked`,
                  [dbNow(), perClaim],
                );
                const picked = (rows as { id: number }[]).map((r) => r.id);
                if (picked.length)
                  await conn.query(`update jobs set status = 'RUNNING', attempts = attempts + 1, started_at = ? where id in (?)`, [
                    dbNow(),
                    picked,
                  ]);
                await conn.commit();
                return picked;
              } catch (error) {
                await conn.rollback();
                throw error;
              }
            });
            if (ids.length === 0) {
              if (counter.count >= n) return;
              await new Promise((r) => setTimeout(r, 5));
              continue;
            }
            for (let i = 0; i < ids.length; i++) counter.hit();
            await retryDeadlock(() => conn.query(`update jobs set status = 'COMPLETED', completed_at = ? where id in (?)`, [dbNow(), ids]));
          }
        } finally {
          conn.release();
        }
      };
      const loops = Array.from({ length: connections }, loop);
      try {
        return await timeDrain(
          counter,
          async () =>
            Number(((await pool.query(`select count(*) as n from jobs where status = 'COMPLETED'`))[0] as { n: number }[])[0].n) === n,
          timeoutMs,
        );
      } finally {
        stop = true;
        await Promise.all(loops);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
