import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';

/** One row per webhook delivery attempt, successful or not. */
@ObjectType()
@Entity({ tableName: 'webhook_logs' })
export class WebhookLog {
  [OptionalProps]?: 'createdAt' | 'deliveryId';

  @Field(() => ID)
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => ID)
  @Property({ type: 'integer', index: 'webhook_logs_job_idx' })
  jobId!: number;

  /** The outbox delivery this attempt belongs to (null on rows written before deliveries were linked). */
  @Property({ type: 'integer', nullable: true, index: 'webhook_logs_delivery_idx' })
  deliveryId?: number | null;

  @Field(() => String)
  @Property({ type: 'string', length: 2048 })
  url!: string;

  @Field(() => JSONScalar, { nullable: true })
  @Property({ type: 'json', nullable: true })
  requestBody?: unknown;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  responseStatus?: number | null;

  @Field(() => String, { nullable: true, description: 'First 4 KiB of the response body' })
  @Property({ type: 'text', nullable: true })
  responseBody?: string | null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  attempt!: number;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  durationMs?: number | null;

  @Field(() => DateTimeScalar)
  @Property({ type: 'datetime', length: 3, index: 'webhook_logs_created_idx' })
  createdAt: Date = new Date();
}
