import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { JSONScalar } from '../graphql/scalars.js';
import { Job } from '../jobs/job.entity.js';
import { filtered } from '../live/filtered.js';
import { Topic, type JobMessage, type LeaseEventMessage } from '../live/pubsub.js';
import { Task } from '../tasks/task.types.js';
import { matchesClaim } from './remote-claims.js';
import {
  JobCompletion,
  JobCompletionInput,
  JobFailureInput,
  JobLease,
  JobLogLineInput,
  JobsAvailable,
  LeaseStatus,
  RegisterWorkerInput,
  WorkerInfo,
} from './worker.types.js';

/** Remote workers: register, claim, renew, finish; and every worker process, live. */
@Resolver()
export class WorkersResolver {
  @Query(() => [WorkerInfo], { description: 'Every worker process, local and remote, heard from within 10 × LEASE_MS' })
  workers(@Ctx() { services }: Context): Promise<WorkerInfo[]> {
    return services.workers.list();
  }

  @Mutation(() => ID, { description: "Announces a remote worker and its tasks; returns the worker's id for claimJobs" })
  registerWorker(@Ctx() { services }: Context, @Arg('input', () => RegisterWorkerInput) input: RegisterWorkerInput): Promise<string> {
    return services.workers.register(input);
  }

  @Mutation(() => [JobLease], {
    description: "Claims due jobs of the worker's tasks, at most its concurrency held at once; with waitMs (≤ 30,000) waits for one",
  })
  claimJobs(
    @Ctx() { services, gone }: Context,
    @Arg('workerId', () => ID) workerId: string,
    @Arg('queues', () => [String], { nullable: true, description: 'Default: the queues it registered' }) queues: string[] | null,
    @Arg('tasks', () => [String], { nullable: true, description: 'Default: the tasks it registered' }) tasks: string[] | null,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 1, description: '1..500' }) limit: number | null,
    @Arg('leaseMs', () => Int, { nullable: true, description: '1,000..600,000; default LEASE_MS' }) leaseMs: number | null,
    @Arg('waitMs', () => Int, { nullable: true, description: '0..30,000: how long to wait for a job when none is due' })
    waitMs: number | null,
  ) {
    return services.workers.claim({ workerId, queues, tasks, limit, leaseMs, waitMs }, gone);
  }

  @Mutation(() => [LeaseStatus], { description: 'Extends held leases; says which were lost or cancelled (a heartbeat too)' })
  renewJobLeases(@Ctx() { services }: Context, @Arg('tokens', () => [String]) tokens: string[]) {
    return services.workers.leases.renew(tokens);
  }

  @Mutation(() => Job, { description: 'COMPLETED with this result; CONFLICT when the lease is stale' })
  completeJob(
    @Ctx() { services }: Context,
    @Arg('token', () => String) token: string,
    @Arg('result', () => JSONScalar, { nullable: true }) result: unknown,
  ): Promise<Job> {
    return services.workers.leases.complete(token, result);
  }

  @Mutation(() => [JobCompletion], {
    description:
      'completeJob for many leases in one request and one transaction (at most 500); a stale lease answers its own error and does not fail the others',
  })
  completeJobs(
    @Ctx() { services }: Context,
    @Arg('completions', () => [JobCompletionInput]) completions: JobCompletionInput[],
  ): Promise<JobCompletion[]> {
    return services.workers.leases.completeAll(completions);
  }

  @Mutation(() => Job, {
    description:
      'A failed attempt (retried after the backoff while attempts remain, unless retry is false), or a snooze; CONFLICT when the lease is stale',
  })
  failJob(
    @Ctx() { services }: Context,
    @Arg('token', () => String) token: string,
    @Arg('error', () => JobFailureInput) error: JobFailureInput,
    @Arg('retry', () => Boolean, { nullable: true, defaultValue: true }) retry: boolean | null,
    @Arg('snoozeMs', () => Int, { nullable: true, description: 'Back to PENDING after this long without counting the attempt' })
    snoozeMs: number | null,
  ): Promise<Job> {
    return services.workers.leases.fail(token, error, retry ?? true, snoozeMs ?? null);
  }

  @Mutation(() => Boolean)
  reportJobProgress(
    @Ctx() { services }: Context,
    @Arg('token', () => String) token: string,
    @Arg('progress', () => Number, { description: '0..1' }) progress: number,
  ): Promise<boolean> {
    return services.workers.leases.progress(token, progress);
  }

  @Mutation(() => Int, { description: "Adds lines to the job's log (as ctx.log does); returns how many" })
  appendJobLogs(
    @Ctx() { services }: Context,
    @Arg('token', () => String) token: string,
    @Arg('lines', () => [JobLogLineInput]) lines: JobLogLineInput[],
  ): Promise<number> {
    return services.workers.leases.appendLogs(token, lines);
  }

  @Mutation(() => Boolean, { description: 'For an idle worker: still alive. False once it was removed: register again' })
  workerHeartbeat(@Ctx() { services }: Context, @Arg('workerId', () => ID) workerId: string): Promise<boolean> {
    return services.workers.heartbeat(workerId);
  }

  @Subscription(() => JobsAvailable, {
    description: 'A nudge each time a job of these queues and tasks (default: any) is created due',
    subscribe: ({ args, context }) =>
      filtered((context as Context).services.live.bus.subscribe(Topic.JOB_CREATED), matchesClaim(args.queues ?? null, args.tasks ?? null)),
  })
  jobsAvailable(
    @Root() job: JobMessage,
    @Arg('queues', () => [String], { nullable: true }) _queues?: string[],
    @Arg('tasks', () => [String], { nullable: true }) _tasks?: string[],
  ): JobsAvailable {
    return { queue: String(job.queue), taskName: String(job.taskName), jobId: String(job.id) };
  }

  @Subscription(() => LeaseStatus, {
    description:
      "CANCEL_REQUESTED the moment one of this worker's running jobs is cancelled; LOST the moment one is taken back (its lease expired)",
    subscribe: ({ args, context }) =>
      filtered((context as Context).services.live.bus.subscribe(Topic.LEASE_EVENT), (e) => e.workerId === String(args.workerId)),
  })
  leaseEvents(@Root() event: LeaseEventMessage, @Arg('workerId', () => ID) _workerId: string): LeaseEventMessage {
    return event;
  }
}

@Resolver(() => Task)
export class TaskWorkersResolver {
  @FieldResolver(() => [WorkerInfo], { description: 'The live workers (local and remote) that run this task' })
  async workers(@Root() task: Task, @Ctx() { services }: Context): Promise<WorkerInfo[]> {
    return (await services.workers.list()).filter((w) => w.tasks.includes(task.name));
  }
}
