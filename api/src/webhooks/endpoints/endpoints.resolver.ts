import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context, Viewer } from '../../graphql/context.js';
import { ForbiddenError } from '../../graphql/errors.js';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  RotatedWebhookSecret,
  UpdateWebhookEndpointInput,
  WebhookEndpointHealth,
  WebhookEndpointHealthPoint,
  WebhookEndpointView,
} from './endpoint.types.js';

/** Endpoints reveal where data goes and let it be redirected: reading them needs an admin too. */
export function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw new ForbiddenError(`the token "${viewer.name}" is a viewer: webhook endpoints need an admin token`);
}

@Resolver(() => WebhookEndpointView)
export class EndpointsResolver {
  @FieldResolver(() => WebhookEndpointHealth, {
    nullable: true,
    description: 'Over its last 1,000 messages (one indexed read); null for the built-in endpoint',
  })
  async health(@Ctx() { services }: Context, @Root() endpoint: WebhookEndpointView): Promise<WebhookEndpointHealth | null> {
    return services.webhookEndpoints.health(endpoint);
  }

  @FieldResolver(() => [WebhookEndpointHealthPoint], {
    description: 'Delivered and failed messages per hour over the last 24 hours, oldest first (of its last 1,000 messages)',
  })
  async healthSeries(@Ctx() { services }: Context, @Root() endpoint: WebhookEndpointView): Promise<WebhookEndpointHealthPoint[]> {
    return services.webhookEndpoints.healthSeries(endpoint);
  }

  @Query(() => [WebhookEndpointView], { description: 'The built-in OUTBOUND_WEBHOOK endpoint first, then the registered ones (admin)' })
  async webhookEndpoints(@Ctx() { services, viewer }: Context): Promise<WebhookEndpointView[]> {
    requireAdmin(viewer);
    return services.webhookEndpoints.list();
  }

  @Query(() => WebhookEndpointView, { nullable: true })
  async webhookEndpoint(@Ctx() { services, viewer }: Context, @Arg('id', () => ID) id: string): Promise<WebhookEndpointView | null> {
    requireAdmin(viewer);
    return services.webhookEndpoints.get(id);
  }

  @Mutation(() => CreatedWebhookEndpoint, { description: 'Registers an endpoint; the answer holds its secret, shown this once' })
  async createWebhookEndpoint(
    @Ctx() { services, viewer }: Context,
    @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
  ): Promise<CreatedWebhookEndpoint> {
    requireAdmin(viewer);
    return services.webhookEndpoints.create(input);
  }

  @Mutation(() => WebhookEndpointView, { description: 'Changes an endpoint; of the built-in one only enabled' })
  async updateWebhookEndpoint(
    @Ctx() { services, viewer }: Context,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpointView> {
    requireAdmin(viewer);
    return services.webhookEndpoints.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes an endpoint; its undelivered messages end FAILED' })
  async deleteWebhookEndpoint(@Ctx() { services, viewer }: Context, @Arg('id', () => ID) id: string): Promise<boolean> {
    requireAdmin(viewer);
    return services.webhookEndpoints.delete(id);
  }

  @Mutation(() => RotatedWebhookSecret, { description: 'A new secret; for graceMs the old one signs beside it' })
  async rotateWebhookSecret(
    @Ctx() { services, viewer }: Context,
    @Arg('id', () => ID) id: string,
    @Arg('graceMs', () => Int) graceMs: number,
  ): Promise<RotatedWebhookSecret> {
    requireAdmin(viewer);
    return Object.assign(new RotatedWebhookSecret(), { secret: await services.webhookEndpoints.rotate(id, graceMs) });
  }
}
