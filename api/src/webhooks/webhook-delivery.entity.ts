import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';

export enum DeliveryStatus {
  PENDING = 'PENDING',
  SENDING = 'SENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

// A fresh object per property: MikroORM writes into the options it is given.
const ms = () => ({ type: 'datetime', length: 3 }) as const;

/**
 * Outbox row: written in the same transaction that finishes a job, then sent (and retried) by the
 * delivery loop. `body` holds the exact bytes that are signed and sent on every attempt.
 */
@Entity({ tableName: 'webhook_deliveries' })
@Index({ name: 'webhook_deliveries_due_idx', properties: ['status', 'nextAttemptAt'] })
@Index({ name: 'webhook_deliveries_endpoint_idx', properties: ['endpointId', 'id'] })
export class WebhookDelivery {
  [OptionalProps]?: 'status' | 'attempts' | 'createdAt' | 'updatedAt' | 'trusted' | 'endpointId';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', index: 'webhook_deliveries_job_idx' })
  jobId!: number;

  /** The registered endpoint it goes to; null for OUTBOUND_WEBHOOK, a per-job URL or the own receiver. */
  @Property({ type: 'integer', nullable: true })
  endpointId?: number | null;

  /** Standard Webhooks `webhook-id`: the same for every attempt and redelivery of one message. */
  @Property({ type: 'string', length: 64 })
  messageId!: string;

  @Property({ type: 'string', length: 2048 })
  url!: string;

  /** The operator's OUTBOUND_WEBHOOK is trusted; per-job URLs pass the SSRF guard on every connect. */
  @Property({ type: 'boolean', default: false })
  trusted = false;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', length: 16, default: DeliveryStatus.PENDING })
  status: DeliveryStatus = DeliveryStatus.PENDING;

  /** Attempts made for this delivery (a redelivery continues the job's attempt numbering). */
  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  /** Attempt number of this delivery's first attempt in the job's log. */
  @Property({ type: 'integer', default: 1 })
  firstAttempt = 1;

  /** Why it failed without an attempt (its endpoint was disabled); attempts' errors are in webhook_logs. */
  @Property({ type: 'string', length: 500, nullable: true })
  lastError?: string | null;

  @Property(ms())
  nextAttemptAt: Date = new Date();

  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner?: string | null;

  @Property({ ...ms(), nullable: true })
  leaseExpiresAt?: Date | null;

  @Property(ms())
  createdAt: Date = new Date();

  @Property({ ...ms(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
