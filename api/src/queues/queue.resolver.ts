import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { checkQueueName } from './queue-name.js';
import { QueueInfo, UpdateQueueInput } from './queue.types.js';

@Resolver(() => QueueInfo)
export class QueueResolver {
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
