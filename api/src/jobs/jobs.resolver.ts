import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { BadUserInputError } from '../graphql/errors.js';
import { WebhookLog } from '../webhooks/webhook-log.entity.js';
import { Job } from './job.entity.js';
import { JobError } from './job-error.entity.js';
import { JobLogLine } from './job-log.entity.js';
import { JobSort } from './job.enums.js';
import { CreateJobInput, JobFilter } from './job.input.js';
import { JobPage, JobStats } from './job.types.js';
import { checkPage, parseCreateJobs, parseId, type CreateChecks, type NewJob } from './job.validate.js';

const MAX_BATCH = 1000;

const createChecks = (services: Context['services']): CreateChecks => ({
  checkUrl: services.checkUrl,
  checkTask: (job, path) => services.tasks.validate(job, path),
  defaultsOf: (taskName) => services.tasks.defaultsOf(taskName),
});

/** A job made for a name no task has is a simulation, and stays one: a task removed later fails its jobs instead. */
function flagSimulated(services: Context['services'], jobs: NewJob[]): NewJob[] {
  for (const job of jobs) job.simulated = services.tasks.simulates(job.taskName);
  return jobs;
}

@Resolver(() => Job)
export class JobsResolver {
  @Query(() => JobPage, { description: 'Jobs matching every given filter, one page at a time' })
  async jobs(
    @Ctx() { services }: Context,
    @Arg('filter', () => JobFilter, { nullable: true }) filter: JobFilter | undefined,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 20, description: '1..100' }) limit: number | null,
    @Arg('offset', () => Int, { nullable: true, defaultValue: 0 }) offset: number | null,
    @Arg('sort', () => JobSort, { nullable: true, defaultValue: JobSort.CREATED_AT_DESC }) sort: JobSort | null,
  ): Promise<JobPage> {
    const page = { limit: limit ?? 20, offset: offset ?? 0 };
    checkPage(page.limit, page.offset);
    return services.jobs.list(filter ?? {}, sort ?? JobSort.CREATED_AT_DESC, page.limit, page.offset);
  }

  @Query(() => Job, { nullable: true })
  async job(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<Job | null> {
    return services.jobs.get(parseId('id', id));
  }

  @Query(() => JobStats)
  async jobStats(@Ctx() { services }: Context): Promise<JobStats> {
    return services.jobs.stats();
  }

  @FieldResolver(() => [JobError], { description: 'Every failed attempt, oldest first: message, stack, worker' })
  async errors(@Root() job: Job, @Ctx() { services }: Context): Promise<JobError[]> {
    return services.jobs.errors(Number(job.id));
  }

  @FieldResolver(() => [JobLogLine], {
    description: "Lines the job's handler logged (ctx.log), in order; the marker of dropped lines (seq 0) first",
  })
  async logs(
    @Root() job: Job,
    @Ctx() { services }: Context,
    @Arg('after', () => Int, { nullable: true, description: 'Only lines with a greater seq' }) after: number | null,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 100, description: '1..1000' }) limit: number | null,
  ): Promise<JobLogLine[]> {
    const n = limit ?? 100;
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new BadUserInputError('limit', `expected a whole number 1..1000, got ${n}`);
    return services.jobs.logs(Number(job.id), after ?? null, n);
  }

  @FieldResolver(() => [WebhookLog])
  async webhookLogs(@Root() job: Job, @Ctx() { services }: Context): Promise<WebhookLog[]> {
    return services.jobs.webhookLogs(Number(job.id));
  }

  @Mutation(() => Job)
  async createJob(@Ctx() { services }: Context, @Arg('input', () => CreateJobInput) input: CreateJobInput): Promise<Job> {
    await services.remoteTasks.ensureKnown([input.taskName]);
    const [job] = await services.jobs.create(
      flagSimulated(services, await parseCreateJobs([input], () => 'input', createChecks(services))),
    );
    return job;
  }

  @Mutation(() => [Job], { description: 'Creates every job or none (one transaction)' })
  async createJobs(@Ctx() { services }: Context, @Arg('inputs', () => [CreateJobInput]) inputs: CreateJobInput[]): Promise<Job[]> {
    if (inputs.length === 0 || inputs.length > MAX_BATCH) {
      throw new BadUserInputError('inputs', `expected 1..${MAX_BATCH} jobs, got ${inputs.length}`);
    }
    await services.remoteTasks.ensureKnown(inputs.map((i) => i.taskName));
    return services.jobs.create(flagSimulated(services, await parseCreateJobs(inputs, (i) => `inputs[${i}]`, createChecks(services))));
  }

  @Mutation(() => Job, { description: 'Makes a PENDING job due now, or queues a finished job again' })
  async runJob(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<Job> {
    return services.jobs.run(parseId('id', id));
  }

  @Mutation(() => Job, { description: 'Cancels a PENDING job, or aborts a RUNNING one' })
  async cancelJob(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<Job> {
    return services.jobs.cancel(parseId('id', id), services.cancelRunning);
  }

  @Mutation(() => Boolean)
  async deleteJob(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<boolean> {
    return services.jobs.delete(parseId('id', id));
  }
}
