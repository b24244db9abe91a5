import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';
import type { Context } from '../graphql/context.js';
import { Job } from '../jobs/job.entity.js';
import { parseId } from '../jobs/job.validate.js';
import { CreateScheduleInput, UpdateScheduleInput } from './schedule.input.js';
import { Schedule } from './schedule.entity.js';
import { ScheduleFire } from './fires/schedule-fire.entity.js';
import { checkCount, MAX_FIRES, MAX_NEXT_RUNS } from './schedule.validate.js';

const JOB_OF = Symbol('jobOf');
type FireWithJob = ScheduleFire & { [JOB_OF]?: (id: number) => Promise<Job | null> };

@Resolver(() => ScheduleFire)
export class ScheduleFireResolver {
  @FieldResolver(() => Job, { nullable: true, description: 'The job the tick created, while it exists (CREATED, CAUGHT_UP)' })
  async job(@Root() fire: FireWithJob, @Ctx() { services }: Context): Promise<Job | null> {
    if (!fire.jobId) return null;
    return fire[JOB_OF] ? fire[JOB_OF](fire.jobId) : services.jobs.get(fire.jobId);
  }
}

@Resolver(() => Schedule)
export class SchedulesResolver {
  @Query(() => [Schedule], { description: 'Every schedule, by name' })
  async schedules(@Ctx() { services }: Context): Promise<Schedule[]> {
    return services.schedules.list();
  }

  @Query(() => Schedule, { nullable: true })
  async schedule(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<Schedule | null> {
    return services.schedules.get(parseId('id', id));
  }

  @Mutation(() => Schedule, { description: 'Creates a schedule; one job per cron tick in its timezone' })
  async createSchedule(
    @Ctx() { services }: Context,
    @Arg('input', () => CreateScheduleInput) input: CreateScheduleInput,
  ): Promise<Schedule> {
    return services.schedules.create(input);
  }

  @Mutation(() => Schedule, { description: 'Changes a schedule; a new rule or enabling again counts ticks from now' })
  async updateSchedule(
    @Ctx() { services }: Context,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateScheduleInput) input: UpdateScheduleInput,
  ): Promise<Schedule> {
    return services.schedules.update(parseId('id', id), input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a schedule; the jobs it created stay' })
  async deleteSchedule(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<boolean> {
    return services.schedules.delete(parseId('id', id));
  }

  @Mutation(() => Job, { description: 'Creates one job from the schedule now, outside its cron rhythm' })
  async triggerSchedule(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<Job> {
    return services.schedules.trigger(parseId('id', id));
  }

  @FieldResolver(() => [ScheduleFire], {
    description: 'What its ticks became (job created, skipped for overlap, missed, caught up), newest first; the last 500 are kept',
  })
  async fires(
    @Root() schedule: Schedule,
    @Ctx() { services }: Context,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 50, description: `1..${MAX_FIRES}` }) limit: number | null,
  ): Promise<FireWithJob[]> {
    const fires = await services.schedules.fires(Number(schedule.id), checkCount('limit', limit ?? 50, MAX_FIRES));
    // The fires' jobs are read in one query, and only when a fire's `job` is asked for.
    const ids = [...new Set(fires.flatMap((fire) => (fire.jobId ? [fire.jobId] : [])))];
    let jobs: Promise<Map<number, Job>> | null = null;
    const jobOf = async (id: number) => (await (jobs ??= services.jobs.byIds(ids))).get(id) ?? null;
    return fires.map((fire) => Object.assign(fire, { [JOB_OF]: jobOf }));
  }

  @FieldResolver(() => [DateTimeScalar], { description: 'The next ticks of its rule from now, also while it is disabled' })
  nextRuns(
    @Root() schedule: Schedule,
    @Ctx() { services }: Context,
    @Arg('count', () => Int, { nullable: true, defaultValue: 5, description: `1..${MAX_NEXT_RUNS}` }) count: number | null,
  ): Date[] {
    return services.schedules.nextRuns(schedule, checkCount('count', count ?? 5, MAX_NEXT_RUNS));
  }
}
