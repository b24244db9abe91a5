import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../db/orm.js';
import { BadUserInputError, NotFoundError } from '../graphql/errors.js';
import type { Job } from '../jobs/job.entity.js';
import { DEFAULT_MAX_ATTEMPTS } from '../jobs/job.enums.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { TaskCatalog } from '../tasks/catalog.js';
import { parseCronRule } from './cron.js';
import type { CreateScheduleInput, UpdateScheduleInput } from './schedule.input.js';
import { Schedule } from './schedule.entity.js';
import type { QueueRegistry } from '../queues/queue-registry.js';
import { parseCreateSchedule, parseUpdateSchedule } from './schedule.validate.js';
import { ScheduleFire } from './fires/schedule-fire.entity.js';

/** What users do with schedules; the scheduler loop turns their ticks into jobs. */
export class SchedulesService {
  constructor(
    private readonly orm: Orm,
    private readonly jobs: JobsService,
    private readonly tasks: TaskCatalog,
    private readonly queues: QueueRegistry,
    /** Called after a change so a scheduler in this process re-reads its next tick at once. */
    private readonly changed: () => void = () => {},
  ) {}

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  list(): Promise<Schedule[]> {
    return this.em().find(Schedule, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  get(id: number): Promise<Schedule | null> {
    return this.em().findOne(Schedule, { id });
  }

  async require(id: number, em: Em = this.em()): Promise<Schedule> {
    const schedule = await em.findOne(Schedule, { id });
    if (!schedule) throw new NotFoundError('schedule', id);
    return schedule;
  }

  async create(input: CreateScheduleInput): Promise<Schedule> {
    const parsed = parseCreateSchedule(input);
    await this.tasks.validate(parsed, 'input');
    const em = this.em();
    const now = new Date();
    const queue = parsed.queue ?? this.tasks.defaultsOf(parsed.taskName).queue;
    await this.queues.register([queue]);
    const schedule = em.create(Schedule, {
      name: parsed.name,
      cron: parsed.rule.cron,
      timezone: parsed.rule.timezone,
      taskName: parsed.taskName,
      payload: parsed.payload,
      queue,
      priority: parsed.priority,
      enabled: parsed.enabled,
      overlap: parsed.overlap,
      misfire: parsed.misfire,
      nextRunAt: parsed.enabled ? parsed.rule.next(now) : null,
      createdAt: now,
      updatedAt: now,
    });
    await this.flushNamed(em, parsed.name);
    this.changed();
    return schedule;
  }

  async update(id: number, input: UpdateScheduleInput): Promise<Schedule> {
    const em = this.em();
    const schedule = await this.require(id, em);
    const changes = parseUpdateSchedule(input, schedule);
    await this.tasks.validate(
      { taskName: changes.taskName ?? schedule.taskName, payload: changes.payload ?? schedule.payload ?? {} },
      'input',
    );
    const rule = changes.rule ?? parseCronRule(schedule.cron, schedule.timezone);
    if (changes.queue === null) changes.queue = this.tasks.defaultsOf(changes.taskName ?? schedule.taskName).queue;
    if (changes.queue !== undefined) await this.queues.register([changes.queue]);
    const retimed = changes.rule !== undefined || (changes.enabled !== undefined && changes.enabled !== schedule.enabled);
    Object.assign(schedule, {
      cron: rule.cron,
      timezone: rule.timezone,
      ...(changes.taskName !== undefined ? { taskName: changes.taskName } : {}),
      ...(changes.payload !== undefined ? { payload: changes.payload } : {}),
      ...(changes.priority !== undefined ? { priority: changes.priority } : {}),
      ...(changes.queue !== undefined ? { queue: changes.queue } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
      ...(changes.overlap !== undefined ? { overlap: changes.overlap } : {}),
      ...(changes.misfire !== undefined ? { misfire: changes.misfire } : {}),
    });
    // A new rule, or enabling again, starts counting from now: ticks missed while disabled do not run.
    if (retimed) schedule.nextRunAt = schedule.enabled ? rule.next(new Date()) : null;
    await em.flush();
    this.changed();
    return schedule;
  }

  async delete(id: number): Promise<boolean> {
    const em = this.em();
    await this.require(id, em);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(ScheduleFire, { scheduleId: id });
      await tx.nativeDelete(Schedule, { id });
    });
    this.changed();
    return true;
  }

  /** One job now, outside the cron rhythm (the schedule's next tick stays as it was). */
  async trigger(id: number): Promise<Job> {
    const em = this.em();
    const schedule = await this.require(id, em);
    // The task or its schema may have changed since the schedule was saved.
    await this.tasks.validate({ taskName: schedule.taskName, payload: schedule.payload ?? {} }, 'schedule');
    const defaults = this.tasks.defaultsOf(schedule.taskName);
    const now = new Date();
    const [job] = await this.jobs.create([
      {
        taskName: schedule.taskName,
        queue: schedule.queue,
        concurrencyKey: null,
        payload: schedule.payload ?? {},
        priority: schedule.priority,
        runAt: now,
        maxAttempts: defaults.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        timeoutMs: defaults.timeoutMs ?? null,
        webhookUrl: null,
        idempotencyKey: null,
        scheduleId: schedule.id,
        scheduleTickAt: null,
        simulated: this.tasks.simulates(schedule.taskName),
      },
    ]);
    // The triggered job counts for overlap SKIP like a fired one.
    await em.nativeUpdate(Schedule, { id }, { lastRunAt: now, lastJobId: job.id, updatedAt: now });
    return job;
  }

  /** The schedule's handled ticks, newest first (at most the FIRES_KEPT it keeps). */
  fires(scheduleId: number, limit: number): Promise<ScheduleFire[]> {
    return this.em().find(ScheduleFire, { scheduleId }, { orderBy: { id: 'desc' }, limit });
  }

  /** The next `count` ticks of the rule from now, enabled or not; none when the stored rule no longer parses. */
  nextRuns(schedule: Schedule, count: number): Date[] {
    let rule;
    try {
      rule = parseCronRule(schedule.cron, schedule.timezone);
    } catch {
      return [];
    }
    const runs: Date[] = [];
    for (let at: Date | null = rule.next(new Date()); at && runs.length < count; at = rule.next(at)) runs.push(at);
    return runs;
  }

  private async flushNamed(em: Em, name: string): Promise<void> {
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new BadUserInputError('input.name', `expected a name no other schedule uses, got ${JSON.stringify(name)}, which is taken`);
      }
      throw error;
    }
  }
}
