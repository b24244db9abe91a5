import type { Orm } from '../../db/orm.js';
import { dialectOf, query, run, toDbTime } from '../../db/sql.js';
import { JobStatus } from '../../jobs/job.enums.js';

export const DEFAULT_QUEUE = 'default';

export async function readPaused(orm: Orm, name = DEFAULT_QUEUE): Promise<boolean> {
  const rows = await query<{ paused: unknown }>(orm.em.fork(), 'select paused from queue_state where name = ?', [name]);
  return rows.length > 0 && Boolean(Number(rows[0].paused));
}

export async function writePaused(orm: Orm, paused: boolean, name = DEFAULT_QUEUE): Promise<void> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  const upsert =
    dialect === 'sqlite'
      ? 'insert into queue_state (name, paused, updated_at) values (?, ?, ?) on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at'
      : 'insert into queue_state (name, paused, updated_at) values (?, ?, ?) on duplicate key update paused = values(paused), updated_at = values(updated_at)';
  await run(em, upsert, [name, paused ? 1 : 0, toDbTime(dialect, new Date())]);
}

/** PENDING and RUNNING counts: two ranges of the status index. */
export async function countActive(orm: Orm): Promise<{ pending: number; running: number }> {
  const rows = await query<{ status: string; n: unknown }>(
    orm.em.fork(),
    `select status, count(*) as n from jobs where status in ('${JobStatus.PENDING}', '${JobStatus.RUNNING}') group by status`,
  );
  const count = (s: JobStatus) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { pending: count(JobStatus.PENDING), running: count(JobStatus.RUNNING) };
}
