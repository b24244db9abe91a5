import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { BadUserInputError, describe } from '../graphql/errors.js';
import { Job } from '../jobs/job.entity.js';
import { parseId } from '../jobs/job.validate.js';
import { RECEIVED_KEPT, ReceivedWebhook } from './received-webhooks.js';

@Resolver()
export class WebhooksResolver {
  @Mutation(() => Job, { description: "Sends the job's last webhook message again (same webhook-id, new attempt numbers)" })
  async redeliverWebhook(@Ctx() { services }: Context, @Arg('jobId', () => ID) jobId: string): Promise<Job> {
    return services.webhooks.redeliver(parseId('jobId', jobId));
  }

  @Query(() => [ReceivedWebhook], {
    description: 'What the test receiver POST /api/webhook-test got, newest first (this process, last 100)',
  })
  receivedWebhooks(
    @Ctx() { services }: Context,
    @Arg('limit', () => Int, { nullable: true, defaultValue: RECEIVED_KEPT, description: `1..${RECEIVED_KEPT}` }) limit: number | null,
  ): ReceivedWebhook[] {
    const n = limit ?? RECEIVED_KEPT;
    if (!Number.isInteger(n) || n < 1 || n > RECEIVED_KEPT)
      throw new BadUserInputError('limit', `expected a whole number 1..${RECEIVED_KEPT}, got ${describe(n)}`);
    return services.webhooks.receivedWebhooks(n);
  }
}
