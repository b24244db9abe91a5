import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';

const ms = () => ({ type: 'datetime', length: 3 }) as const;

/**
 * A receiver the operator registered: which events it gets and the secret they are signed with.
 * The one row with `builtIn` set holds only whether OUTBOUND_WEBHOOK is enabled (its URL and secret
 * come from the environment).
 */
@Entity({ tableName: 'webhook_endpoints' })
export class WebhookEndpoint {
  [OptionalProps]?: 'enabled' | 'builtIn' | 'createdAt' | 'updatedAt' | 'description';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 2048 })
  url!: string;

  @Property({ type: 'string', length: 500, default: '' })
  description = '';

  /** Event type names (`job.completed`, …) as a JSON array. */
  @Property({ type: 'json' })
  eventTypes!: string[];

  /** Only jobs of these queues; null for every queue. */
  @Property({ type: 'json', nullable: true })
  queues?: string[] | null;

  /** Only jobs of these tasks; null for every task. */
  @Property({ type: 'json', nullable: true })
  taskNames?: string[] | null;

  @Property({ type: 'boolean', default: true })
  enabled = true;

  @Property({ type: 'boolean', default: false })
  builtIn = false;

  /** The `whsec_…` string: stored as given because the seed's `X-Signature` is keyed with it. */
  @Property({ type: 'string', length: 128 })
  secret!: string;

  /** The secret before the last rotation, still signing beside the new one until `previousSecretUntil`. */
  @Property({ type: 'string', length: 128, nullable: true })
  previousSecret?: string | null;

  @Property({ ...ms(), nullable: true })
  previousSecretUntil?: Date | null;

  @Property(ms())
  createdAt: Date = new Date();

  @Property({ ...ms(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
