import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Orm } from '../../db/orm.js';
import { dialectOf, fromDbTime, jsonColumnReader, query, run, toDbTime } from '../../db/sql.js';
import { Job } from '../../jobs/job.entity.js';
import type { Priority } from '../../jobs/job.enums.js';

export interface DueSchedule {
  id: number;
  cron: string;
  timezone: string;
  taskName: string;
  payload: Record<string, unknown>;
  queue: string;
  priority: Priority;
  /** The tick that is due: the earliest one not yet turned into a job. */
  tick: Date;
}

/** Enabled schedules whose next tick is at or before `now`, earliest first. */
export async function dueSchedules(orm: Orm, now: Date, limit = 100): Promise<DueSchedule[]> {
  const em = orm.em.fork();
  const rows = await query(em, `select * from schedules where next_run_at <= ? and enabled = 1 order by next_run_at limit ${limit}`, [
    toDbTime(dialectOf(em), now),
  ]);
  const json = jsonColumnReader(em);
  return rows.map((r) => ({
    id: Number(r.id),
    cron: String(r.cron),
    timezone: String(r.timezone),
    taskName: String(r.task_name),
    payload: (json(r.payload) ?? {}) as Record<string, unknown>,
    queue: String(r.queue ?? 'default'),
    priority: Number(r.priority) as Priority,
    tick: fromDbTime(r.next_run_at)!,
  }));
}

/** When the scheduler next has something to do, or null with no enabled schedule. */
export async function nextTickAt(orm: Orm): Promise<Date | null> {
  const rows = await query<{ at: unknown }>(orm.em.fork(), 'select min(next_run_at) as at from schedules where enabled = 1');
  return fromDbTime(rows[0]?.at);
}

/**
 * Turns one due tick into one job, however many schedulers try at once: in one transaction, advance
 * `next_run_at` only if it still holds this tick (compare-and-set: the row lock makes every other
 * scheduler's identical update match nothing), then insert the job. The unique key on
 * (schedule_id, schedule_tick_at) backs this up. The caller picks `following`: the next tick, or
 * the first tick after now when ticks were missed while no scheduler ran (they collapse into this
 * one job). Returns null when another scheduler won.
 */
/** What a fired job gets that a schedule does not say: its task's defaults. */
export interface JobDefaults {
  maxAttempts?: number;
  timeoutMs?: number;
  /** The schedule's task name has no task: its jobs are simulations. */
  simulated?: boolean;
}

export async function fireTick(
  orm: Orm,
  due: DueSchedule,
  following: Date | null,
  now: Date,
  defaults: JobDefaults = {},
): Promise<Job | null> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  try {
    return await em.transactional(async (tx) => {
      const t = toDbTime(dialect, now);
      const won = await run(
        tx,
        'update schedules set next_run_at = ?, last_run_at = ?, updated_at = ? where id = ? and enabled = 1 and next_run_at = ?',
        [following ? toDbTime(dialect, following) : null, t, t, due.id, toDbTime(dialect, due.tick)],
      );
      if (won === 0) return null;
      const job = tx.create(Job, {
        taskName: due.taskName,
        payload: due.payload,
        queue: due.queue,
        priority: due.priority,
        runAt: due.tick,
        maxAttempts: defaults.maxAttempts ?? 3,
        timeoutMs: defaults.timeoutMs ?? null,
        simulated: defaults.simulated ?? false,
        scheduleId: due.id,
        scheduleTickAt: due.tick,
        createdAt: now,
        updatedAt: now,
      });
      await tx.flush();
      return job;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) return null;
    throw error;
  }
}

/** Stops a schedule whose stored rule no longer parses from being picked up every round. */
export async function parkSchedule(orm: Orm, id: number): Promise<void> {
  await run(orm.em.fork(), 'update schedules set next_run_at = null where id = ?', [id]);
}
