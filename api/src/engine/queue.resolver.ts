import { Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { QueueInfo } from './queue.types.js';

@Resolver(() => QueueInfo)
export class QueueResolver {
  @Query(() => QueueInfo, { description: 'Whether the queue is paused, and how busy it is' })
  async queue(@Ctx() { services }: Context): Promise<QueueInfo> {
    return services.queue.info();
  }

  @Mutation(() => QueueInfo, { description: 'Stops every worker from claiming new jobs; running jobs finish' })
  async pauseQueue(@Ctx() { services }: Context): Promise<QueueInfo> {
    return services.queue.pause();
  }

  @Mutation(() => QueueInfo, { description: 'Lets workers claim jobs again' })
  async resumeQueue(@Ctx() { services }: Context): Promise<QueueInfo> {
    return services.queue.resume();
  }
}
