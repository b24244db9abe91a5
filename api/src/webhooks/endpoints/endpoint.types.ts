import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars.js';
import { RateLimitInfo, RateLimitInput } from '../../queues/queue.types.js';

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

  @Field(() => Int, {
    nullable: true,
    description: 'Disabled by itself after this many consecutive failed messages (retries used up); null for the built-in endpoint',
  })
  disableAfterFailures!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Those failed messages must span at least this long (ms), first to last; null for the built-in endpoint',
  })
  disableAfterMs!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Attempts in flight to it at once in each sending worker process; null: only WEBHOOK_CONCURRENCY limits',
  })
  concurrency!: number | null;

  @Field(() => RateLimitInfo, {
    nullable: true,
    description: 'Attempts started per sliding window in each sending worker process; null: no rate limit',
  })
  rateLimit!: RateLimitInfo | null;

  @Field(() => String, { nullable: true, description: 'Why it was disabled by itself; null while enabled or when disabled by hand' })
  disabledReason!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was disabled by itself' })
  disabledAt!: Date | null;

  /** The streak kept on the row, read by the health field. */
  consecutiveFailures!: number;

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

  @Field(() => Int, { nullable: true, description: 'Default WEBHOOK_DISABLE_AFTER_FAILURES (20)' })
  disableAfterFailures?: number | null;

  @Field(() => Int, { nullable: true, description: 'Default WEBHOOK_DISABLE_AFTER_MS (86400000, 24 h)' })
  disableAfterMs?: number | null;

  @Field(() => Int, { nullable: true, description: 'Attempts in flight at once per sending process, 1..1000; null: no limit' })
  concurrency?: number | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'Attempts started per sliding window per sending process; null: no limit' })
  rateLimit?: RateLimitInput | null;
}

@InputType({ description: 'Fields left out stay; queues or taskNames null: no filter; concurrency or rateLimit null: no limit' })
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

  @Field(() => Boolean, {
    nullable: true,
    description: 'true re-enables a disabled endpoint: its failure streak starts again and its ENDPOINT_DISABLED alert resolves',
  })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  disableAfterFailures?: number | null;

  @Field(() => Int, { nullable: true })
  disableAfterMs?: number | null;

  @Field(() => Int, { nullable: true, description: 'Attempts in flight at once per sending process, 1..1000; null: no limit' })
  concurrency?: number | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'Attempts started per sliding window per sending process; null: no limit' })
  rateLimit?: RateLimitInput | null;
}

@ObjectType('WebhookEndpointHealth', {
  description: "Over the endpoint's last 1,000 messages, by their current status, and their attempts",
})
export class WebhookEndpointHealth {
  @Field(() => Float, { nullable: true, description: 'Delivered ÷ (delivered + failed), 0..1; null before any message ended' })
  successRate!: number | null;

  @Field(() => Int, { nullable: true, description: 'Median attempt duration (ms); null without attempts' })
  latencyP50Ms!: number | null;

  @Field(() => Int, { nullable: true, description: '95th percentile attempt duration (ms)' })
  latencyP95Ms!: number | null;

  @Field(() => String, {
    nullable: true,
    description: "The newest failed attempt's error (or HTTP status), or why a message failed unsent",
  })
  lastError!: string | null;

  @Field(() => Int, { description: 'Failed messages since the last delivered one (the auto-disable streak)' })
  consecutiveFailures!: number;

  @Field(() => Int)
  deliveredCount!: number;

  @Field(() => Int)
  failedCount!: number;
}

@ObjectType('WebhookEndpointHealthPoint', { description: 'Of the last 1,000 messages, those that ended in one hour' })
export class WebhookEndpointHealthPoint {
  @Field(() => DateTimeScalar, { description: 'Start of the hour (UTC)' })
  hour!: Date;

  @Field(() => Int)
  delivered!: number;

  @Field(() => Int)
  failed!: number;
}
