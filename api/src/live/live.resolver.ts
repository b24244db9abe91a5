import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { Topic, type JobLogMessage, type JobMessage, type WebhookLogMessage } from './pubsub.js';
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
      const match = sameId(args.id);
      return filtered((context as Context).services.live.bus.subscribe(Topic.JOB_UPDATED), (job) => match(job.id));
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

  @Subscription(() => JobStats, {
    description: 'Counts per status, pushed when they change, at most 4 times a second',
    subscribe: ({ context }) => (context as Context).services.live.stats.subscribe(),
  })
  jobStats(@Root() stats: JobStats): JobStats {
    return stats;
  }
}
