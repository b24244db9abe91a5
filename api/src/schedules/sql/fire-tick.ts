import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, fromDbTime, jsonColumnReader, query, run, toDbTime } from '../../db/sql.js';
import { Job } from '../../jobs/job.entity.js';
import { DEFAULT_MAX_ATTEMPTS, JobStatus, type Priority } from '../../jobs/job.enums.js';
import type { FirePlan } from '../fires/fire-plan.js';
import { FireOutcome, ScheduleFire } from '../fires/schedule-fire.entity.js';
import { MisfirePolicy, OverlapPolicy } from '../schedule.policies.js';

/** Fire rows kept per schedule (the newest); `Schedule.fires(limit)` reads at most this many. */
export const FIRES_KEPT = 500;

export interface DueSchedule {
  id: number;
  cron: string;
  timezone: string;
  taskName: string;
  payload: Record<string, unknown>;
  queue: string;
  priority: Priority;
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
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
    overlap: r.overlap === OverlapPolicy.SKIP ? OverlapPolicy.SKIP : OverlapPolicy.ALLOW,
    misfire: Object.values(MisfirePolicy).includes(r.misfire as MisfirePolicy) ? (r.misfire as MisfirePolicy) : MisfirePolicy.RUN_ONCE,
    tick: fromDbTime(r.next_run_at)!,
  }));
}

/** When the scheduler next has something to do, or null with no enabled schedule. */
export async function nextTickAt(orm: Orm): Promise<Date | null> {
  const rows = await query<{ at: unknown }>(orm.em.fork(), 'select min(next_run_at) as at from schedules where enabled = 1');
  return fromDbTime(rows[0]?.at);
}

/** What the ticks of one plan became: the jobs created, and one fire row per tick. */
export interface Fired {
  jobs: Job[];
  fires: ScheduleFire[];
}

/** What a fired job gets that a schedule does not say: its task's defaults. */
export interface JobDefaults {
  maxAttempts?: number;
  timeoutMs?: number;
  /** The schedule's task name has no task: its jobs are simulations. */
  simulated?: boolean;
}

/**
 * Turns the due tick's plan into jobs and fire rows, however many schedulers try at once: in one
 * transaction, move `next_run_at` from this tick to `plan.following` only if it still holds this tick
 * (compare-and-set: the row lock makes every other scheduler's identical update match nothing), then
 * insert. The unique key on (schedule_id, schedule_tick_at) backs this up. Under overlap SKIP a tick
 * whose schedule still has a PENDING or RUNNING job gets no job. Returns null when another scheduler won.
 */
export async function fireTick(orm: Orm, due: DueSchedule, plan: FirePlan, now: Date, defaults: JobDefaults = {}): Promise<Fired | null> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  try {
    return await em.transactional(async (tx) => {
      const t = toDbTime(dialect, now);
      const won = await run(tx, 'update schedules set next_run_at = ?, updated_at = ? where id = ? and enabled = 1 and next_run_at = ?', [
        plan.following ? toDbTime(dialect, plan.following) : null,
        t,
        due.id,
        toDbTime(dialect, due.tick),
      ]);
      if (won === 0) return null;
      let active = due.overlap === OverlapPolicy.SKIP ? await unfinishedLastJob(tx as Em, due.id) : null;
      const jobs: Job[] = [];
      const fires: ScheduleFire[] = [];
      const record = (tickAt: Date, outcome: FireOutcome, reason: string | null, jobId: number | null = null) =>
        fires.push(tx.create(ScheduleFire, { scheduleId: due.id, tickAt, outcome, reason, jobId, createdAt: now }));
      for (const planned of plan.ticks) {
        if (planned.outcome === FireOutcome.MISSED) {
          record(planned.tickAt, planned.outcome, planned.reason);
        } else if (active) {
          record(planned.tickAt, FireOutcome.SKIPPED_OVERLAP, `job ${active.id} was still ${active.status} (overlap SKIP)`);
        } else {
          const job = tx.create(Job, {
            taskName: due.taskName,
            payload: due.payload,
            queue: due.queue,
            priority: due.priority,
            runAt: planned.tickAt,
            maxAttempts: defaults.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
            timeoutMs: defaults.timeoutMs ?? null,
            simulated: defaults.simulated ?? false,
            scheduleId: due.id,
            scheduleTickAt: planned.tickAt,
            createdAt: now,
            updatedAt: now,
          });
          // Flushed at once: its fire row names its id.
          await tx.flush();
          jobs.push(job);
          record(planned.tickAt, planned.outcome, planned.reason, job.id);
          if (due.overlap === OverlapPolicy.SKIP) active = { id: String(job.id), status: JobStatus.PENDING };
        }
      }
      await tx.flush();
      const last = jobs.at(-1);
      if (last) await run(tx, 'update schedules set last_run_at = ?, last_job_id = ? where id = ?', [t, last.id, due.id]);
      await pruneFires(tx as Em, due.id);
      return { jobs, fires };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) return null;
    throw error;
  }
}

/** The schedule's last job when it is PENDING or RUNNING (one primary-key lookup through `last_job_id`). */
async function unfinishedLastJob(em: Em, scheduleId: number): Promise<{ id: string; status: string } | null> {
  const rows = await query<{ id: unknown; status: unknown }>(
    em,
    'select j.id, j.status from schedules s join jobs j on j.id = s.last_job_id where s.id = ? and j.status in (?, ?)',
    [scheduleId, JobStatus.PENDING, JobStatus.RUNNING],
  );
  return rows[0] ? { id: String(rows[0].id), status: String(rows[0].status) } : null;
}

/** Keeps the newest FIRES_KEPT fire rows of a schedule: one index range read, then a bounded delete. */
async function pruneFires(em: Em, scheduleId: number): Promise<void> {
  const rows = await query<{ id: unknown }>(
    em,
    `select id from schedule_fires where schedule_id = ? order by id desc limit 1 offset ${FIRES_KEPT}`,
    [scheduleId],
  );
  if (rows[0]) await run(em, 'delete from schedule_fires where schedule_id = ? and id <= ?', [scheduleId, Number(rows[0].id)]);
}

/** Stops a schedule whose stored rule no longer parses from being picked up every round. */
export async function parkSchedule(orm: Orm, id: number): Promise<void> {
  await run(orm.em.fork(), 'update schedules set next_run_at = null where id = ?', [id]);
}
