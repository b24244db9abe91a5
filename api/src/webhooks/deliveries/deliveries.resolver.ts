import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context.js';
import { DateTimeScalar } from '../../graphql/scalars.js';
import { requireAdmin } from '../endpoints/endpoints.resolver.js';
import { MAX_PAGE } from './deliveries.service.js';
import { WebhookDeliveryConnection, WebhookDeliveryStatus, WebhookDeliveryView } from './delivery.types.js';

@Resolver()
export class DeliveriesResolver {
  @Query(() => WebhookDeliveryConnection, { description: 'Webhook deliveries across jobs, newest first (admin)' })
  async webhookDeliveries(
    @Ctx() { services, viewer }: Context,
    @Arg('endpointId', () => ID, { nullable: true, description: '"outbound" for the built-in endpoint' }) endpointId: string | null,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Created at or after' }) since: Date | null,
    @Arg('first', () => Int, { defaultValue: 20, description: `1..${MAX_PAGE}` }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'pageInfo.endCursor of the page before' }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    requireAdmin(viewer);
    return services.webhookDeliveries.list({ endpointId, status, since, first, after });
  }

  @Mutation(() => Int, {
    description:
      "Queues the endpoint's messages in that status again, each with its own webhook-id and body; answers how many (admin). A disabled endpoint is refused",
  })
  async replayWebhookDeliveries(
    @Ctx() { services, viewer }: Context,
    @Arg('endpointId', () => ID, { description: '"outbound" for the built-in endpoint' }) endpointId: string,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Only messages created at or after' }) since: Date | null,
    @Arg('status', () => WebhookDeliveryStatus, { defaultValue: WebhookDeliveryStatus.FAILED }) status: WebhookDeliveryStatus,
  ): Promise<number> {
    requireAdmin(viewer);
    return services.webhookDeliveries.replay(endpointId, since, status);
  }

  @Mutation(() => WebhookDeliveryView, { description: 'Sends a signed webhook.test message to the endpoint, whatever its event types' })
  async sendTestWebhook(
    @Ctx() { services, viewer }: Context,
    @Arg('endpointId', () => ID) endpointId: string,
  ): Promise<WebhookDeliveryView> {
    requireAdmin(viewer);
    return services.webhookDeliveries.sendTest(endpointId);
  }
}
