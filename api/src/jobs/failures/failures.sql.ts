import type { Em } from '../../db/orm.js';
import { dialectOf, fromDbTime, placeholders, query, toDbTime, type BoundValue } from '../../db/sql.js';
import { JobStatus } from '../job.enums.js';
import type { FailureGroup } from './failure-group.types.js';

/** Groups one answer lists, the largest first. */
export const MAX_GROUPS = 100;
/** Sample job ids per group, the newest first. */
export const SAMPLE_IDS = 5;

/** Which FAILED jobs are looked at: those that failed since `since`, of this queue and task when given. */
export interface FailureScope {
  since?: Date | null;
  queue?: string | null;
  taskName?: string | null;
}

/** The WHERE of a scope; `failure_signature is not null` leads so the signature index drives the scan. */
function scopeWhere(em: Em, scope: FailureScope): { sql: string; params: BoundValue[] } {
  const parts = ['failure_signature is not null', `status = '${JobStatus.FAILED}'`];
  const params: BoundValue[] = [];
  if (scope.since) parts.push('completed_at >= ?') && params.push(toDbTime(dialectOf(em), scope.since));
  if (scope.queue) parts.push('queue = ?') && params.push(scope.queue);
  if (scope.taskName) parts.push('task_name = ?') && params.push(scope.taskName);
  return { sql: parts.join(' and '), params };
}

/**
 * The FAILED jobs of a scope grouped by signature: the MAX_GROUPS largest groups with their first and
 * last failure, then in two more statements their task names and their newest SAMPLE_IDS jobs (whose
 * newest message is the group's sample).
 */
export async function failureGroups(em: Em, scope: FailureScope): Promise<FailureGroup[]> {
  const where = scopeWhere(em, scope);
  const rows = await query<{ signature: string; count: unknown; first_seen: unknown; last_seen: unknown }>(
    em,
    `select failure_signature as signature, count(*) as count, min(completed_at) as first_seen, max(completed_at) as last_seen
     from jobs where ${where.sql}
     group by failure_signature order by count(*) desc, max(completed_at) desc limit ${MAX_GROUPS}`,
    where.params,
  );
  if (rows.length === 0) return [];
  const signatures = rows.map((r) => r.signature);
  const inGroups = `${where.sql} and failure_signature in (${placeholders(signatures.length)})`;
  const params = [...where.params, ...signatures];
  const [tasks, samples] = await Promise.all([
    query<{ signature: string; task_name: string }>(
      em,
      `select distinct failure_signature as signature, task_name from jobs where ${inGroups} order by task_name`,
      params,
    ),
    query<{ signature: string; id: unknown; last_error: string | null }>(
      em,
      `select signature, id, last_error from (
         select failure_signature as signature, id, last_error,
           row_number() over (partition by failure_signature order by id desc) as n
         from jobs where ${inGroups}
       ) ranked where n <= ${SAMPLE_IDS} order by id desc`,
      params,
    ),
  ]);
  const groups = new Map<string, FailureGroup>(
    rows.map((r) => [
      r.signature,
      {
        signature: r.signature,
        count: Number(r.count),
        firstSeen: fromDbTime(r.first_seen)!,
        lastSeen: fromDbTime(r.last_seen)!,
        sampleMessage: '',
        taskNames: [],
        sampleJobIds: [],
      },
    ]),
  );
  for (const t of tasks) groups.get(t.signature)?.taskNames.push(t.task_name);
  for (const s of samples) {
    const group = groups.get(s.signature)!;
    if (group.sampleJobIds.length === 0) group.sampleMessage = s.last_error ?? '';
    group.sampleJobIds.push(String(s.id));
  }
  return [...groups.values()];
}

/** The ids of a group's FAILED jobs (since `since` when given), at most `limit`, oldest first. */
export async function failureGroupIds(em: Em, signature: string, since: Date | null, limit: number): Promise<number[]> {
  const where = scopeWhere(em, { since });
  const rows = await query<{ id: unknown }>(em, `select id from jobs where ${where.sql} and failure_signature = ? order by id limit ?`, [
    ...where.params,
    signature,
    limit,
  ]);
  return rows.map((r) => Number(r.id));
}
