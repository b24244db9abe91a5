import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { BadUserInputError } from '../graphql/errors.js';
import { THROUGHPUT_MAX_MINUTES } from './throughput.sql.js';
import { ThroughputPoint } from './throughput.types.js';

@Resolver()
export class ThroughputResolver {
  @Query(() => [ThroughputPoint], {
    description: 'Jobs completed and failed per minute over the last `minutes` minutes, oldest first, aggregated by the server',
  })
  async throughput(
    @Ctx() { services }: Context,
    @Arg('minutes', () => Int, { nullable: true, defaultValue: 60, description: `1..${THROUGHPUT_MAX_MINUTES}` })
    minutes: number | null,
  ): Promise<ThroughputPoint[]> {
    const window = minutes ?? 60;
    if (!Number.isInteger(window) || window < 1 || window > THROUGHPUT_MAX_MINUTES) {
      throw new BadUserInputError('minutes', `expected an integer 1..${THROUGHPUT_MAX_MINUTES}, got ${window}`);
    }
    return services.throughput.lastMinutes(window);
  }
}
