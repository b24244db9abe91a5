import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { Repeater } from '@repeaterjs/repeater';
import { Topic, type JobLogMessage, type JobMessage, type JobsChangedMessage, type WebhookLogMessage } from './pubsub.js';
import { JobsChanged } from '../jobs/bulk/bulk.types.js';
import { JobLogLine } from '../jobs/job-log.entity.js';
import { Job } from '../jobs/job.entity.js';
import { JobStats } from '../jobs/job.types.js';
import { WebhookLog } from '../webhooks/webhook-log.entity.js';
import { filtered } from './filtered.js';

const sameId = (want: string | undefined | null) => (value: string | number) => !want || String(value) === String(want);

/** Live updates: each subscription filters the bus stream by its argument. */
@Resolver()
export class LiveResolver {
  @Subscription(() => Job, {
    description: 'Every change of any job, or of the job with this id',
    subscribe: ({ args, context }) => {
      const bus = (context as Context).services.live.bus;
      if (!args.id) return bus.subscribe(Topic.JOB_UPDATED);
      // One job's subscribers also get its change when it came in bulk (others get a jobsChanged summary).
      const match = sameId(args.id);
      return filtered(Repeater.merge([bus.subscribe(Topic.JOB_UPDATED), bus.subscribe(Topic.JOB_UPDATED_IN_BULK)]), (job) => match(job.id));
    },
  })
  jobUpdated(@Root() job: JobMessage, @Arg('id', () => ID, { nullable: true }) _id?: string): JobMessage {
    return job;
  }

  @Subscription(() => Job, {
    subscribe: ({ context }) => (context as Context).services.live.bus.subscribe(Topic.JOB_CREATED),
  })
  jobCreated(@Root() job: JobMessage): JobMessage {
    return job;
  }

  @Subscription(() => WebhookLog, {
    description: 'Every webhook delivery attempt, or those of the job with this id',
    subscribe: ({ args, context }) => {
      const match = sameId(args.jobId);
      return filtered((context as Context).services.live.bus.subscribe(Topic.WEBHOOK_LOG_ADDED), (log) => match(log.jobId));
    },
  })
  webhookLogAdded(@Root() log: WebhookLogMessage, @Arg('jobId', () => ID, { nullable: true }) _jobId?: string): WebhookLogMessage {
    return log;
  }

  @Subscription(() => JobLogLine, {
    description: "Lines the job's handler logs (ctx.log), live and in order",
    subscribe: ({ args, context }) => {
      const match = sameId(args.jobId as string);
      return filtered((context as Context).services.live.bus.subscribe(Topic.JOB_LOG_ADDED), (line) => match(line.jobId));
    },
  })
  jobLogAdded(@Root() line: JobLogMessage, @Arg('jobId', () => ID) _jobId: string): JobLogMessage {
    return line;
  }

  @Subscription(() => JobsChanged, {
    description:
      'Summaries of bulk changes (retryJobs, cancelJobs, deleteJobs, failure groups, pruning): one per chunk of up to 1,000 jobs',
    subscribe: ({ context }) => (context as Context).services.live.bus.subscribe(Topic.JOBS_CHANGED),
  })
  jobsChanged(@Root() change: JobsChangedMessage): JobsChangedMessage {
    return change;
  }

  @Subscription(() => JobStats, {
    description: 'Counts per status, pushed when they change, at most 4 times a second',
    subscribe: ({ context }) => (context as Context).services.live.stats.subscribe(),
  })
  jobStats(@Root() stats: JobStats): JobStats {
    return stats;
  }
}
