import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars.js';

@ObjectType('WebhookEndpoint', { description: 'Where webhook messages go; its secret is shown once, when it is created or rotated' })
export class WebhookEndpointView {
  @Field(() => ID, { description: '"outbound" for the built-in OUTBOUND_WEBHOOK endpoint' })
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => String)
  description!: string;

  @Field(() => [String], { description: 'job.completed, job.failed, job.cancelled, alert.fired, alert.resolved' })
  eventTypes!: string[];

  @Field(() => [String], { nullable: true, description: 'Only jobs of these queues; null: every queue' })
  queues!: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only jobs of these tasks; null: every task' })
  taskNames!: string[] | null;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => Boolean, { description: 'OUTBOUND_WEBHOOK: URL and secret from the environment, only `enabled` can change' })
  builtIn!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Until then the previous secret signs beside the new one' })
  previousSecretExpiresAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Null for the built-in endpoint' })
  createdAt!: Date | null;
}

@ObjectType()
export class CreatedWebhookEndpoint {
  @Field(() => WebhookEndpointView)
  endpoint!: WebhookEndpointView;

  @Field(() => String, { description: 'whsec_…: shown this once; sign checks use it' })
  secret!: string;
}

@ObjectType()
export class RotatedWebhookSecret {
  @Field(() => String, { description: 'The new whsec_… secret: shown this once' })
  secret!: string;
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String])
  eventTypes!: string[];

  @Field(() => [String], { nullable: true })
  queues?: string[] | null;

  @Field(() => [String], { nullable: true })
  taskNames?: string[] | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  enabled?: boolean | null;
}

@InputType({ description: 'Fields left out stay; queues or taskNames null: no filter' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => [String], { nullable: true })
  queues?: string[] | null;

  @Field(() => [String], { nullable: true })
  taskNames?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}
