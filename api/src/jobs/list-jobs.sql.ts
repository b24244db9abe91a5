import type { Em } from '../db/orm.js';
import { containsPattern, LIKE_ESCAPE, query, type BoundValue } from '../db/sql.js';
import { jobRowMapper } from '../jobs/job-record.js';
import { placeholders } from '../db/sql.js';
import type { Job } from './job.entity.js';
import { JobSort } from './job.enums.js';
import type { JobFilter } from './job.input.js';

/** Each sort ends with id so pages are stable; every prefix is served by an index (see job.entity.ts). */
const ORDER_BY: Record<JobSort, string> = {
  [JobSort.CREATED_AT_DESC]: 'created_at desc, id desc',
  [JobSort.CREATED_AT_ASC]: 'created_at asc, id asc',
  [JobSort.PRIORITY_DESC]: 'priority desc, created_at desc, id desc',
  [JobSort.RUN_AT_ASC]: 'run_at asc, id asc',
  [JobSort.UPDATED_AT_DESC]: 'updated_at desc, id desc',
};

export function whereClause(filter: JobFilter | undefined): { sql: string; params: BoundValue[] } {
  const parts: string[] = [];
  const params: BoundValue[] = [];
  if (filter?.status) parts.push('status = ?') && params.push(filter.status);
  if (filter?.priority !== undefined && filter?.priority !== null) parts.push('priority = ?') && params.push(filter.priority);
  if (filter?.taskName) parts.push('task_name = ?') && params.push(filter.taskName);
  if (filter?.queue) parts.push('queue = ?') && params.push(filter.queue);
  if (filter?.search) {
    const pattern = containsPattern(filter.search);
    parts.push(`(task_name like ? escape '${LIKE_ESCAPE}' or payload like ? escape '${LIKE_ESCAPE}')`);
    params.push(pattern, pattern);
  }
  return { sql: parts.length ? `where ${parts.join(' and ')}` : '', params };
}

/**
 * Deferred join: the page's ids come from an index-only scan, then only 20 full rows are read.
 * A plain `select * … limit 20 offset 990000` would read 990,020 full rows on a million-row table.
 */
export async function listJobIds(em: Em, filter: JobFilter | undefined, sort: JobSort, limit: number, offset: number) {
  const where = whereClause(filter);
  const [rows, counted] = await Promise.all([
    query<{ id: number }>(em, `select id from jobs ${where.sql} order by ${ORDER_BY[sort]} limit ? offset ?`, [
      ...where.params,
      limit,
      offset,
    ]),
    query<{ total: number }>(em, `select count(*) as total from jobs ${where.sql}`, where.params),
  ]);
  return { ids: rows.map((r) => Number(r.id)), total: Number(counted[0]?.total ?? 0) };
}

/**
 * The page's rows, in the order of `ids` (ids no longer there are left out). Read by hand, not with
 * `em.find`: hydrating managed entities (change tracking, identity map) dominated a `jobs(limit: 20)`
 * under load, and the list only reads them.
 */
export async function loadJobs(em: Em, ids: readonly number[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  const rows = await query(em, `select * from jobs where id in (${placeholders(ids.length)})`, [...ids]);
  const toJob = jobRowMapper(em);
  const byId = new Map(rows.map((row) => [Number(row.id), toJob(row)]));
  return ids.map((id) => byId.get(id)).filter((job): job is Job => job !== undefined);
}
