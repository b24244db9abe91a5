import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { JobStatus } from '../jobs/job.enums.js';
import { checkQueueName } from '../queues/queue-name.js';
import { toRetentionInfo } from './retention.js';
import { RetentionInfo } from './retention.types.js';

@Resolver()
export class RetentionResolver {
  @Query(() => RetentionInfo, {
    description: 'The RETENTION_* defaults; a queue may keep its jobs longer or shorter (QueueInfo.retention)',
  })
  retention(@Ctx() { services }: Context): RetentionInfo {
    return toRetentionInfo(services.retention.defaults);
  }

  @Mutation(() => Int, {
    description: 'Deletes finished jobs that completed before olderThan, with their webhook attempts, errors and logs; the number deleted',
  })
  async pruneJobs(
    @Ctx() { services }: Context,
    @Arg('olderThan', () => DateTimeScalar) olderThan: Date,
    @Arg('statuses', () => [JobStatus], { nullable: true, description: 'Default COMPLETED, FAILED and CANCELLED' })
    statuses: JobStatus[] | null,
    @Arg('queue', () => String, { nullable: true }) queue: string | null,
  ): Promise<number> {
    return services.retention.prune(
      olderThan,
      statuses ?? null,
      queue === null || queue === undefined ? null : checkQueueName('queue', queue),
    );
  }
}
