import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { Job } from '../jobs/job.entity.js';
import { parseId } from '../jobs/job.validate.js';
import { CreateScheduleInput, UpdateScheduleInput } from './schedule.input.js';
import { Schedule } from './schedule.entity.js';

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
}
