import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars.js';
import { WebhookLog } from '../webhook-log.entity.js';

/** A delivery as users see it: one being sent, or waiting for its retry, is still PENDING. */
export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType('WebhookDelivery', { description: 'One message to one endpoint, with every attempt made for it' })
export class WebhookDeliveryView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: "Null for the job's own target (OUTBOUND_WEBHOOK, its webhookUrl, the test receiver)" })
  endpointId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Null for a webhook.test message' })
  jobId!: string | null;

  @Field(() => String, { description: 'The Standard Webhooks webhook-id: the same on every attempt' })
  messageId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => [WebhookLog], { description: 'Its attempts, oldest first' })
  webhookLogs!: WebhookLog[];
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WebhookDeliveryView)
  node!: WebhookDeliveryView;
}

@ObjectType({ description: 'Deliveries newest first' })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
