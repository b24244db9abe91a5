import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { checkQueueName } from './queue-name.js';
import { QueueInfo, UpdateQueueInput } from './queue.types.js';
import { retentionInForce, toRetentionInfo } from '../retention/retention.js';
import { RetentionInfo } from '../retention/retention.types.js';

/** The wait percentiles of one queue, read once for both fields of one QueueInfo. */
const waits = new WeakMap<QueueInfo, Promise<{ p50: number | null; p95: number | null }>>();

@Resolver(() => QueueInfo)
export class QueueResolver {
  @FieldResolver(() => Int, { nullable: true, description: 'How long the oldest due PENDING job has waited, in ms; null: none is due' })
  oldestPendingWaitMs(@Root() queue: QueueInfo, @Ctx() { services }: Context): Promise<number | null> {
    return services.queue.oldestPendingWaitMs(queue.name);
  }

  @FieldResolver(() => RetentionInfo, {
    description: "How long the queue's finished jobs are kept: its own setting, else the RETENTION_* default",
  })
  retention(@Root() queue: QueueInfo, @Ctx() { services }: Context): RetentionInfo {
    return toRetentionInfo(retentionInForce(services.retention.defaults, queue.ownRetention));
  }

  @FieldResolver(() => Int, { description: 'Jobs of the queue that ended (COMPLETED or FAILED) in the last minute' })
  throughputPerMinute(@Root() queue: QueueInfo, @Ctx() { services }: Context): Promise<number> {
    return services.queue.throughputPerMinute(queue.name);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Median wait from due to start, in ms, over those of its 500 newest jobs that have started',
  })
  async waitP50Ms(@Root() queue: QueueInfo, @Ctx() ctx: Context): Promise<number | null> {
    return (await this.waitsOf(queue, ctx)).p50;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: '95th percentile wait from due to start, in ms, over those of its 500 newest jobs that have started',
  })
  async waitP95Ms(@Root() queue: QueueInfo, @Ctx() ctx: Context): Promise<number | null> {
    return (await this.waitsOf(queue, ctx)).p95;
  }

  private waitsOf(queue: QueueInfo, { services }: Context) {
    let read = waits.get(queue);
    if (!read) waits.set(queue, (read = services.queue.waitPercentiles(queue.name)));
    return read;
  }

  @Query(() => [QueueInfo], { description: 'Every queue that has settings or jobs; `default` always' })
  async queues(@Ctx() { services }: Context): Promise<QueueInfo[]> {
    return services.queue.list();
  }

  @Query(() => QueueInfo, { description: 'One queue (without a name: `default`): its switches, limits and how busy it is' })
  async queue(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() { services }: Context): Promise<QueueInfo> {
    return services.queue.info(name === null || name === undefined ? undefined : checkQueueName('name', name));
  }

  @Mutation(() => QueueInfo, {
    description: "Sets a queue's limits or pause, creating it when it has no settings yet; fields left out stay, null clears a limit",
  })
  async updateQueue(
    @Arg('name', () => String) name: string,
    @Arg('input', () => UpdateQueueInput) input: UpdateQueueInput,
    @Ctx() { services }: Context,
  ): Promise<QueueInfo> {
    return services.queue.update(name, input);
  }

  @Mutation(() => QueueInfo, {
    description: 'Stops workers from claiming new jobs of the queue (without a name: of every queue); running jobs finish',
  })
  async pauseQueue(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() { services }: Context): Promise<QueueInfo> {
    return services.queue.pause(name);
  }

  @Mutation(() => QueueInfo, { description: 'Lets workers claim jobs of the queue again (without a name: of every queue)' })
  async resumeQueue(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() { services }: Context): Promise<QueueInfo> {
    return services.queue.resume(name);
  }
}
